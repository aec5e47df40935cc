using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;

namespace OpenTfa.Server.Hosting;

/// <summary>The <c>OpenTfa</c> configuration section. Every key is documented in docs/configuration.md.</summary>
public sealed class OpenTfaOptions
{
    public const string Section = "OpenTfa";

    /// <summary>Folder for the embedded database and the generated key file, relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The key created with every scope on first start with an empty store; generated and printed once when unset.</summary>
    public string? BootstrapApiKey { get; set; }

    public string? BootstrapApiKeyFile { get; set; }

    public StorageOptions Storage { get; set; } = new();

    public EncryptionOptions Encryption { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Largest request body accepted, in bytes.</summary>
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Failed authentications per client (an IPv4 address or an IPv6 /64) and per presented key id
    /// in a sliding minute; past it, wrong keys answer 429. A valid key is never refused.
    /// </summary>
    public int MaxAuthFailuresPerMinute { get; set; } = 30;

    /// <summary>Reverse proxies (addresses or CIDR networks) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.</summary>
    public IList<string> TrustedProxies { get; } = [];

    public PinOptions Pins { get; set; } = new();

    public ProtectionOptions Protection { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public RoutingOptions Routes { get; set; } = new();

    /// <summary>Named channel instances; each needs a <c>Type</c> (<c>log</c>, <c>discard</c>, …).</summary>
    public Dictionary<string, ChannelOptions> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>For <c>postgres</c>, the Npgsql connection string; for <c>sqlite</c>, optionally the database file path.</summary>
    public string? ConnectionString { get; set; }

    public string? ConnectionStringFile { get; set; }

    /// <summary>SQLite <c>synchronous</c> mode: <c>NORMAL</c> (survives a killed process) or <c>FULL</c> (survives power loss).</summary>
    public string SqliteSynchronous { get; set; } = "NORMAL";

    /// <summary>
    /// Largest size of the SQLite database in megabytes; 0 leaves it to the disk. Reaching it fails
    /// writes as a full disk does, so that the database cannot fill a disk other services share.
    /// </summary>
    public int SqliteMaxSizeMegabytes { get; set; }

    /// <summary>PostgreSQL: the longest opening a connection may take, a hung server included.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL: the longest one statement may run before it is cancelled and the request answers 503.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class EncryptionOptions
{
    /// <summary>Key ring file (<c>id:base64key</c> per line, active key first). Default: <c>opentfa.key</c> in the data folder, created on first start.</summary>
    public string? KeyFile { get; set; }

    /// <summary>The key ring itself, for deployments that pass secrets as settings.</summary>
    public string? Key { get; set; }
}

public sealed class RetentionOptions
{
    /// <summary>How long a PIN stays verifiable as <c>TTL_EXPIRED</c> after it expires.</summary>
    public TimeSpan PinAfterExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long verification history and message states are kept.</summary>
    public TimeSpan History { get; set; } = TimeSpan.FromDays(30);

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class ChannelOptions
{
    public string? Type { get; set; }
}
