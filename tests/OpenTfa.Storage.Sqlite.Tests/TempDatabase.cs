using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>A database file in a directory of its own, deleted with it.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "opentfa-sqlite-tests", Guid.NewGuid().ToString("N"));

    public TempDatabase()
    {
        Directory.CreateDirectory(_directory);
    }

    public string Path => System.IO.Path.Combine(_directory, "opentfa.db");

    public SqliteStoreOptions Options => new() { DatabasePath = Path };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
