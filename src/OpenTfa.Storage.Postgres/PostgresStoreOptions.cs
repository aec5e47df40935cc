namespace OpenTfa.Storage.Postgres;

public sealed class PostgresStoreOptions
{
    /// <summary>The Npgsql connection string; its own <c>Timeout</c> and <c>Command Timeout</c>, when given, win over the two below.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The longest opening a connection may take, the server's answer to the handshake included.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest one statement may run; then it is cancelled and the operation fails.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a node's lease of an application's send limit lasts (see <c>PostgresSendLeases</c>):
    /// its unspent slots count against the limit until then, unless revoked near the limit or returned.
    /// Zero decides every send under the limit's lock.
    /// </summary>
    public TimeSpan SendLimitLease { get; init; } = DefaultSendLimitLease;

    internal static TimeSpan DefaultSendLimitLease => TimeSpan.FromSeconds(2);
}
