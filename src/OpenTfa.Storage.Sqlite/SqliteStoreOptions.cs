namespace OpenTfa.Storage.Sqlite;

public sealed class SqliteStoreOptions
{
    /// <summary>Path of the database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>
    /// <c>synchronous=FULL</c> instead of <c>NORMAL</c>: survives power loss, not only a
    /// killed process, at the cost of an fsync per commit.
    /// </summary>
    public bool FullSync { get; init; }

    /// <summary>
    /// Largest size of the database in megabytes (SQLite's <c>max_page_count</c>); 0 leaves it to
    /// the disk. Reaching it fails writes exactly as a full disk does.
    /// </summary>
    public int MaxSizeMegabytes { get; init; }
}
