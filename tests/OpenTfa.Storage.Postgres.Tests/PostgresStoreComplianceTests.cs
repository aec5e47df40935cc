using OpenTfa.Storage.Compliance;

namespace OpenTfa.Storage.Postgres.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreComplianceTests(PostgresFixture fixture) : StoreComplianceTests
{
    protected override Task<StoreUnderTest> CreateStoreAsync() => fixture.CreateStoreAsync();
}
