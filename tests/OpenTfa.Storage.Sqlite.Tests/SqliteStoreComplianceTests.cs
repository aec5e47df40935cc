using Microsoft.Data.Sqlite;
using OpenTfa.Storage.Compliance;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The embedded store against the compliance suite every provider passes; a fresh database file per test.</summary>
public sealed class SqliteStoreComplianceTests : StoreComplianceTests
{
    protected override async Task<StoreUnderTest> CreateStoreAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "opentfa-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "opentfa.db") });
        await store.Maintenance.InitializeAsync(CancellationToken.None);
        return StoreUnderTest.Create(store, () =>
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
            return ValueTask.CompletedTask;
        });
    }
}
