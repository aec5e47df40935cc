using OpenTfa.Storage.Compliance;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The embedded store against the compliance suite every provider passes; a fresh database file per test.</summary>
public sealed class SqliteStoreComplianceTests : StoreComplianceTests
{
    protected override async Task<StoreUnderTest> CreateStoreAsync()
    {
        var database = new TempDatabase();
        var store = new SqliteStore(database.Options);
        await store.Maintenance.InitializeAsync(CancellationToken.None);
        return StoreUnderTest.Create(store, () =>
        {
            database.Dispose();
            return ValueTask.CompletedTask;
        });
    }
}
