using Npgsql;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>
/// The PostgreSQL store, for one node or several sharing a database. Its roles
/// (<see cref="Pins"/>, <see cref="Outbox"/>, …) are stores of their own on this object's one
/// connection pool; sends go through <see cref="PostgresSendBatcher"/>. Every operation is one
/// transaction; operations that count against a sliding-window limit serialize on that
/// limit's advisory lock, or spend slots of it that their node leased under that lock
/// (<see cref="PostgresSendLeases"/>), so limits, attempts and single use hold exactly across nodes.
/// Times are stored as <c>timestamptz</c> (UTC, microsecond precision); no statement reads the
/// database clock: every time comes from the caller.
/// </summary>
public sealed class PostgresStore : IStoreRoles, IAsyncDisposable, IDisposable
{
    /// <summary>Rows touched per prune transaction: small enough that pruning never holds the hot path up.</summary>
    internal const int PruneBatchSize = 500;

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;

    /// <summary>A store with its own connection pool, disposed with the store.</summary>
    public PostgresStore(string connectionString)
        : this(new PostgresStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>A store with its own connection pool, disposed with the store.</summary>
    public PostgresStore(PostgresStoreOptions options)
        : this(NpgsqlDataSource.Create(Tuned(options)), ownsDataSource: true, options.SendLimitLease)
    {
    }

    /// <summary>A store on a data source the caller owns and disposes.</summary>
    public PostgresStore(NpgsqlDataSource dataSource)
        : this(dataSource, ownsDataSource: false, PostgresStoreOptions.DefaultSendLimitLease)
    {
    }

    private PostgresStore(NpgsqlDataSource dataSource, bool ownsDataSource, TimeSpan sendLimitLease)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        Sends = new PostgresSendBatcher(dataSource, sendLimitLease);
        Tenants = new PostgresTenantStore(this);
        Applications = new PostgresApplicationStore(this);
        EmailBodies = new PostgresEmailBodyStore(this);
        Idempotency = new PostgresIdempotencyStore(this);
        Protection = new PostgresProtectionStore(this);
        Pins = new PostgresPinStore(this);
        Outbox = new PostgresOutboxStore(this);
        Maintenance = new PostgresStoreMaintenance(this);
        Webhooks = new PostgresWebhookStore(this);
        Audit = new PostgresAuditStore(this);
        Analytics = new PostgresAnalyticsStore(this);
        Twilio = new PostgresTwilioStore(this);
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

    public IWorkflowStore Workflows => (PostgresPinStore)Pins;

    /// <summary>Issues PINs in group commits.</summary>
    internal PostgresSendBatcher Sends { get; }

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
        await Sends.CloseAsync();
        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync();
        }
    }

    public void Dispose()
    {
        Sends.CloseAsync().Wait(TimeSpan.FromSeconds(30));
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }
    }

    internal ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>Runs one statement in its own (implicit) transaction and returns the rows it changed.</summary>
    internal async Task<int> ExecuteAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken);
        await using NpgsqlCommand command = connection.Command(sql);
        parameters(command);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Action<NpgsqlCommand> parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await OpenAsync(cancellationToken);
        await using NpgsqlCommand command = connection.Command(sql);
        parameters(command);
        return await Sql.ReadAllAsync(command, read, cancellationToken);
    }
}
