using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Its roles (<see cref="Pins"/>,
/// <see cref="Outbox"/>, …) are stores of their own that share this object's connections:
/// reads take a kept-open connection from <see cref="SqliteReaderPool"/>, writes queue for the
/// one <see cref="SqliteWriter"/>, and <see cref="SqliteCheckpointer"/> keeps the WAL short. The
/// busy timeout covers other processes on the same file (backup tools, a second node started
/// by mistake).
/// </summary>
public sealed class SqliteStore : IStoreRoles, IDisposable
{
    private readonly SqliteReaderPool _readers;
    private readonly SqliteWriter _writer;
    private readonly SqliteCheckpointer _checkpointer;
    private volatile bool _disposed;

    public SqliteStore(SqliteStoreOptions options, ILogger<SqliteStore>? logger = null)
    {
        Connections = new SqliteConnectionFactory(options);
        DiskFull = new SqliteDiskFull(Connections.DatabasePath, Connections.MaxSizeBytes, logger ?? (ILogger)NullLogger.Instance);
        _readers = new SqliteReaderPool(Connections);
        _writer = new SqliteWriter(Connections, LimitWindows, ConfigCache, HotPins, DiskFull.Note);
        _checkpointer = new SqliteCheckpointer(Connections, () => _writer.Commits);
        Tenants = new SqliteTenantStore(this);
        Applications = new SqliteApplicationStore(this);
        EmailBodies = new SqliteEmailBodyStore(this);
        Idempotency = new SqliteIdempotencyStore(this);
        Protection = new SqliteProtectionStore(this);
        Pins = new SqlitePinStore(this);
        Outbox = new SqliteOutboxStore(this);
        Maintenance = new SqliteStoreMaintenance(this);
        Webhooks = new SqliteWebhookStore(this);
        Audit = new SqliteAuditStore(this);
        Analytics = new SqliteAnalyticsStore(this);
        Twilio = new SqliteTwilioStore(this);
    }

    public ITenantStore Tenants { get; }

    public IApplicationStore Applications { get; }

    public IEmailBodyStore EmailBodies { get; }

    public IIdempotencyStore Idempotency { get; }

    public IProtectionStore Protection { get; }

    public IPinStore Pins { get; }

    public IOutboxStore Outbox { get; }

    public IStoreMaintenance Maintenance { get; }

    public IWebhookStore Webhooks { get; }

    public IAuditStore Audit { get; }

    public IAnalyticsStore Analytics { get; }

    public ITwilioStore Twilio { get; }

    public IWorkflowStore Workflows => (SqlitePinStore)Pins;

    internal SqliteConnectionFactory Connections { get; }

    internal SqliteDiskFull DiskFull { get; }

    /// <summary>The busy limit keys' recent events; only the writer's transactions touch it.</summary>
    internal LimitWindows LimitWindows { get; } = new();

    internal ConfigCache ConfigCache { get; } = new();

    /// <summary>PINs as the writer last committed them; only the writer's transactions touch it.</summary>
    internal HotPins HotPins { get; } = new();

    /// <summary>Runs <paramref name="work"/> on a pooled reader connection.</summary>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        using Activity? activity = OpenTfaTelemetry.StartStore("sqlite", operation);
        ObjectDisposedException.ThrowIf(_disposed, this);
        CachingConnection connection = _readers.Rent();
        try
        {
            return await work(connection);
        }
        finally
        {
            _readers.Return(connection);
        }
    }

    /// <summary>Runs <paramref name="work"/> atomically in an immediate transaction; the task completes once it has committed.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        using Activity? activity = OpenTfaTelemetry.StartStore("sqlite", operation);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _checkpointer.Start();
        return await _writer.EnqueueAsync(work, cancellationToken);
    }

    /// <summary>A read of a rarely changing row, answered from <see cref="ConfigCache"/> when it holds the row.</summary>
    internal async Task<T?> CachedReadAsync<T>((string Kind, string A, string B, string C) key, Func<SqliteConnection, Task<T?>> read, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
        where T : class
    {
        if (ConfigCache.TryGet(key, out T? held))
        {
            return held;
        }

        long generation = ConfigCache.Generation;
        T? value = await ReadAsync(read, cancellationToken, operation);
        ConfigCache.Put(key, value, generation);
        return value;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Dispose();
        _checkpointer.Dispose();
        _readers.Dispose();
    }
}
