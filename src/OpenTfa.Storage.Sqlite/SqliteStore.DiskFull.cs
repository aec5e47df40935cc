using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenTfa.Storage.Sqlite;

/// <remarks>
/// A full disk (or a database at <see cref="SqliteStoreOptions.MaxSizeMegabytes"/>) fails writes
/// with SQLITE_FULL while reads still work, so a read alone would call the store healthy while
/// sends fail. The first such failure is logged with the database's path and makes the store
/// unhealthy; it stays so until a write that needs new room (the probe below) succeeds again.
/// </remarks>
public sealed partial class SqliteStore
{
    private const int SqliteFull = 13;

    /// <summary>Room the probe asks for: more than a send takes, so that sends succeed once it does.</summary>
    private const int ProbeBytes = 64 * 1024;

    /// <summary>What the last write failure said while the disk is full; null while writes succeed.</summary>
    private volatile string? _diskFull;

    private string DatabasePath => Path.GetFullPath(new SqliteConnectionStringBuilder(_connectionString).DataSource);

    private static bool IsDiskFull(Exception ex) => ex is SqliteException { SqliteErrorCode: SqliteFull };

    private void NoteWriteFailure(Exception ex)
    {
        if (!IsDiskFull(ex) || _diskFull is not null)
        {
            return;
        }

        string problem = _maxSizeBytes > 0
            ? $"disk full or the database at its size limit of {_maxSizeBytes / (1024 * 1024)} MB ({DatabasePath})"
            : $"disk full ({DatabasePath})";
        _diskFull = problem;
        Log.DiskFull(_logger, DatabasePath, ex.Message);
    }

    /// <summary>Writes (and drops) a small table in one committed transaction; true, and the store healthy again, when that worked.</summary>
    private async Task<bool> TryWriteProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(async (c, t) =>
            {
                await ExecuteAsync(c, t, "CREATE TABLE write_probe (room BLOB)", cancellationToken);
                await ExecuteAsync(c, t, "INSERT INTO write_probe VALUES (zeroblob($bytes))", cancellationToken, ("$bytes", ProbeBytes));
                return await ExecuteAsync(c, t, "DROP TABLE write_probe", cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException)
        {
            return false;
        }

        if (_diskFull is not null)
        {
            _diskFull = null;
            Log.DiskSpaceBack(_logger, DatabasePath);
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "SQLite database {Path}: disk full ({Reason}); writes fail and /health/ready answers 503 until there is room again: free space on its disk, or raise OpenTfa:Storage:SqliteMaxSizeMegabytes if it is set")]
        public static partial void DiskFull(ILogger logger, string path, string reason);

        [LoggerMessage(2, LogLevel.Information, "SQLite database {Path}: writes succeed again after the disk was full")]
        public static partial void DiskSpaceBack(ILogger logger, string path);
    }
}
