using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// A full disk (or a database at <see cref="SqliteStoreOptions.MaxSizeMegabytes"/>) fails writes
/// with SQLITE_FULL while reads still work, so a read alone would call the store healthy while
/// sends fail. The first such failure is logged with the database's path and makes the store
/// unhealthy; it stays so until a write that needs new room (the store's probe) succeeds again.
/// </summary>
internal sealed partial class SqliteDiskFull(string databasePath, long maxSizeBytes, ILogger logger)
{
    private const int SqliteFull = 13;

    /// <summary>What the last write failure said while the disk is full; null while writes succeed.</summary>
    private volatile string? _problem;

    public string? Problem => _problem;

    /// <summary>Notes a failed write; only a full disk makes the store unhealthy.</summary>
    public void Note(Exception ex)
    {
        if (ex is not SqliteException { SqliteErrorCode: SqliteFull } || _problem is not null)
        {
            return;
        }

        _problem = maxSizeBytes > 0
            ? $"disk full or the database at its size limit of {maxSizeBytes / (1024 * 1024)} MB ({databasePath})"
            : $"disk full ({databasePath})";
        Log.DiskFull(logger, databasePath, ex.Message);
    }

    /// <summary>A write that needed new room succeeded.</summary>
    public void Recovered()
    {
        if (_problem is not null)
        {
            _problem = null;
            Log.DiskSpaceBack(logger, databasePath);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "SQLite database {Path}: disk full ({Reason}); writes fail and /health/ready answers 503 until there is room again: free space on its disk, or raise OpenTfa:Storage:SqliteMaxSizeMegabytes if it is set")]
        public static partial void DiskFull(ILogger logger, string path, string reason);

        [LoggerMessage(2, LogLevel.Information, "SQLite database {Path}: writes succeed again after the disk was full")]
        public static partial void DiskSpaceBack(ILogger logger, string path);
    }
}
