using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;

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

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes run in immediate transactions on
/// one writer connection, so concurrent requests queue instead of meeting SQLITE_BUSY; the
/// busy timeout covers other processes on the same file (backup tools, a second node started
/// by mistake).
/// </summary>
public sealed partial class SqliteStore : ITenantStore, IApplicationStore, IEmailBodyStore, IIdempotencyStore, IProtectionStore, IPinStore, IOutboxStore, IStoreMaintenance, IWebhookStore, IAuditStore, IAnalyticsStore, IDisposable
{
    private readonly string _connectionString;
    private readonly string _pragmas;
    private readonly long _maxSizeBytes;
    private readonly ILogger _logger;

    public SqliteStore(SqliteStoreOptions options, ILogger<SqliteStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _maxSizeBytes = options.MaxSizeMegabytes * 1024L * 1024L;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        // No memory map: the benchmark measured the same throughput without one, and a mapped
        // file's pages count as the process's resident memory as the database grows. Each
        // connection keeps a small page cache; the operating system caches the file.
        _pragmas = $"PRAGMA busy_timeout=30000; PRAGMA synchronous={(options.FullSync ? "FULL" : "NORMAL")}; PRAGMA cache_size=-2048;";
    }

    /// <summary>
    /// The database and its WAL and shared-memory files are readable by their owner only. SQLite
    /// gives the -wal and -shm files the database file's mode, so creating that file 0600 (an empty
    /// file is an empty database) covers the files SQLite makes later; existing ones are tightened.
    /// </summary>
    private static void MakePrivate(string databasePath)
    {
        if (OperatingSystem.IsWindows() || databasePath is ":memory:" or "")
        {
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(databasePath))
        {
            using FileStream created = new(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private });
        }

        foreach (string file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, Private);
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        ApplyPragmas(connection);
        return connection;
    }

    /// <summary>The pragmas every connection needs; the size cap is per connection in SQLite, so each one sets it.</summary>
    private void ApplyPragmas(SqliteConnection connection)
    {
        using SqliteCommand pragma = connection.CreateCommand();
        pragma.CommandText = _pragmas;
        pragma.ExecuteNonQuery();
        if (_maxSizeBytes > 0)
        {
            pragma.CommandText = "PRAGMA page_size";
            long pageSize = (long)pragma.ExecuteScalar()!;
            pragma.CommandText = $"PRAGMA max_page_count = {Math.Max(1, _maxSizeBytes / pageSize)}";
            pragma.ExecuteNonQuery();
        }
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        using Activity? activity = OpenTfaTelemetry.StartStore("sqlite", operation);
        CachingConnection connection = RentReader();
        try
        {
            return await work(connection);
        }
        finally
        {
            ReturnReader(connection);
        }
    }

    /// <summary>Runs <paramref name="work"/> atomically in an immediate transaction; the task completes once it has committed.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        using Activity? activity = OpenTfaTelemetry.StartStore("sqlite", operation);
        return await EnqueueWrite(work, cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand command;
        if (connection is CachingConnection caching)
        {
            command = caching.Rent(sql);
        }
        else
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }

        command.Transaction = transaction;
        if (transaction is not null && connection is CachingConnection { ConfigTouched: false } writer && ConfigCache.Touches(sql))
        {
            writer.ConfigTouched = true;
        }

        SqliteParameterCollection bound = command.Parameters;
        bool same = bound.Count == parameters.Length;
        for (int i = 0; same && i < parameters.Length; i++)
        {
            same = string.Equals(bound[i].ParameterName, parameters[i].Name, StringComparison.Ordinal);
        }

        if (same)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                bound[i].Value = parameters[i].Value ?? DBNull.Value;
            }
        }
        else
        {
            bound.Clear();
            foreach ((string name, object? value) in parameters)
            {
                bound.AddWithValue(name, value ?? DBNull.Value);
            }
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using SqliteCommand command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using SqliteCommand command = Command(connection, transaction, sql, parameters);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(map(reader));
        }

        return list;
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(SqliteDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static string? OptionalString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        MakePrivate(new SqliteConnectionStringBuilder(_connectionString).DataSource);
        await using (SqliteConnection connection = await OpenAsync(cancellationToken))
        {
            // WAL is a property of the file; setting it once makes every later connection use it.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken);
            List<long> versions = await QueryAsync(connection, transaction, "SELECT version FROM schema_version", r => r.GetInt64(0), cancellationToken);
            long current = versions.Count == 0 ? 0 : versions.Max();
            if (current > SqliteSchema.Migrations.Length)
            {
                throw new InvalidOperationException($"The database has schema version {current}, newer than this OpenTfa knows ({SqliteSchema.Migrations.Length}); upgrade OpenTfa.");
            }

            for (long v = current; v < SqliteSchema.Migrations.Length; v++)
            {
                await ExecuteAsync(connection, transaction, SqliteSchema.Migrations[v], cancellationToken);
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM schema_version; INSERT INTO schema_version(version) VALUES ($v);", cancellationToken, ("$v", SqliteSchema.Migrations.Length));
            return 0;
        }, cancellationToken);
    }

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (_diskFull is not null && !await TryWriteProbeAsync(cancellationToken))
        {
            return StoreHealth.Unavailable($"cannot write: {_diskFull}");
        }

        try
        {
            return await ReadAsync(async c =>
            {
                await using SqliteCommand command = Command(c, null, "SELECT COUNT(*) FROM schema_version");
                return await command.ExecuteScalarAsync(cancellationToken) is long;
            }, cancellationToken) ? StoreHealth.Ok : StoreHealth.Unavailable($"cannot read {DatabasePath}");
        }
        catch (SqliteException ex)
        {
            return StoreHealth.Unavailable($"cannot read {DatabasePath}: {ex.Message}");
        }
    }

    public Task<PruneCounts> PruneAsync(DateTimeOffset now, RetentionPolicy policy, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            // Small batches: each prune holds the write gate only briefly. An erased PIN keeps
            // its row (verification history) until the history retention deletes it.
            int sealedPins = await ExecuteAsync(c, t,
                "UPDATE pins SET pin_data = NULL, pin_key = NULL, placeholders = NULL WHERE rowid IN (SELECT rowid FROM pins WHERE expires_at < $cut AND pin_data IS NOT NULL LIMIT 1000)",
                cancellationToken, ("$cut", Ms(now - policy.PinAfterExpiry)));
            await ExecuteAsync(c, t,
                """
                UPDATE outbox SET body_data = NULL, body_key = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $now,
                    error = CASE WHEN state = $queued THEN 'not delivered before the PIN expired' ELSE error END,
                    state = CASE WHEN state = $queued THEN $failed ELSE state END
                WHERE rowid IN (SELECT rowid FROM outbox WHERE expires_at < $now AND body_data IS NOT NULL LIMIT 1000)
                """,
                cancellationToken, ("$now", Ms(now)), ("$queued", (int)MessageState.Queued), ("$failed", (int)MessageState.Failed));
            const string oldPins = "SELECT id FROM pins WHERE pin_data IS NULL AND created_at < $cut ORDER BY rowid LIMIT 1000";
            long historyCut = Ms(now - policy.History);
            int messages = await ExecuteAsync(c, t, $"DELETE FROM outbox WHERE pin_id IN ({oldPins})", cancellationToken, ("$cut", historyCut));
            int deleted = await ExecuteAsync(c, t, $"DELETE FROM pins WHERE id IN ({oldPins})", cancellationToken, ("$cut", historyCut));
            int events = await ExecuteAsync(c, t,
                "DELETE FROM limit_events WHERE rowid IN (SELECT rowid FROM limit_events WHERE expires_at < $now LIMIT 5000)", cancellationToken, ("$now", Ms(now)));
            await ExecuteAsync(c, t, "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE completed = 1 AND expires_at < $now LIMIT 1000)",
                cancellationToken, ("$now", Ms(now)));
            await ExecuteAsync(c, t, "DELETE FROM pending_receipts WHERE at < $cut", cancellationToken, ("$cut", Ms(now - TimeSpan.FromDays(1))));
            return new PruneCounts(sealedPins, deleted, messages, events);
        }, cancellationToken);
}
