using Npgsql;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>
/// The PostgreSQL store, for one node or several sharing a database. Every operation is one
/// transaction; operations that count against a sliding-window limit serialize on that
/// limit's advisory lock, so limits, attempts and single use hold exactly across nodes.
/// Times are stored as <c>timestamptz</c> (UTC, microsecond precision); no statement reads the
/// database clock: every time comes from the caller.
/// </summary>
public sealed partial class PostgresStore : IStoreRoles, ITenantStore, IApplicationStore, IEmailBodyStore, IIdempotencyStore, IProtectionStore, IPinStore, IOutboxStore, IStoreMaintenance, IWebhookStore, IAuditStore, IAnalyticsStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>A store with its own connection pool, disposed with the store.</summary>
    public PostgresStore(string connectionString)
        : this(new PostgresStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>A store with its own connection pool, disposed with the store.</summary>
    public PostgresStore(PostgresStoreOptions options)
        : this(NpgsqlDataSource.Create(Tuned(options)), ownsDataSource: true)
    {
    }

    /// <summary>A store on a data source the caller owns and disposes.</summary>
    public PostgresStore(NpgsqlDataSource dataSource)
        : this(dataSource, ownsDataSource: false)
    {
    }

    private PostgresStore(NpgsqlDataSource dataSource, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
    }

    public ITenantStore Tenants => this;

    public IApplicationStore Applications => this;

    public IEmailBodyStore EmailBodies => this;

    public IIdempotencyStore Idempotency => this;

    public IProtectionStore Protection => this;

    public IPinStore Pins => this;

    public IOutboxStore Outbox => this;

    public IStoreMaintenance Maintenance => this;

    public IWebhookStore Webhooks => this;

    public IAuditStore Audit => this;

    public IAnalyticsStore Analytics => this;

    /// <summary>
    /// The pool's defaults for this store, where the connection string says nothing: statements
    /// the store runs again and again are prepared once per connection (Npgsql's automatic
    /// preparation), a connection going back to the pool is not reset, since the store
    /// leaves no session state behind (its advisory locks end with their transaction), and
    /// opening a connection and running a statement are bounded by the options' timeouts, so
    /// that a database which accepts connections but never answers fails requests in bounded time.
    /// </summary>
    private static string Tuned(PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string connectionString = options.ConnectionString;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Timeout"))
        {
            builder.Timeout = WholeSeconds(options.ConnectTimeout);
        }

        if (!given.ContainsKey("Command Timeout") && !given.ContainsKey("CommandTimeout"))
        {
            builder.CommandTimeout = WholeSeconds(options.CommandTimeout);
        }

        if (!Mentions(connectionString, "Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Mentions(connectionString, "Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static int WholeSeconds(TimeSpan timeout) => Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));

    private static bool Mentions(string connectionString, string setting) =>
        connectionString.Replace(" ", string.Empty, StringComparison.Ordinal)
            .Contains(setting.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await CloseSendsAsync();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    public void Dispose()
    {
        CloseSendsAsync().Wait(TimeSpan.FromSeconds(30));
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    private ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs one statement in its own (implicit) transaction and returns the rows it changed.</summary>
    private async Task<int> ExecuteAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken);
        await using NpgsqlCommand command = connection.Command(sql);
        parameters(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<NpgsqlCommand> parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken);
        await using NpgsqlCommand command = connection.Command(sql);
        parameters(command);
        return await ReadAllAsync(command, read, cancellationToken);
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static async Task<T?> ReadOneAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).Long("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
