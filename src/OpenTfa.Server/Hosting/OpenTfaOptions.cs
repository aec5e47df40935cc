using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// The <c>OpenTfa</c> configuration section: every key under it is a property here (start-up
/// refuses any other) and is documented in docs/configuration.md.
/// </summary>
public sealed class OpenTfaOptions
{
    public const string Section = "OpenTfa";

    /// <summary>Folder for the embedded database and the generated key file, relative to the working directory.</summary>
    [SettingRequired]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>The key created with every scope on first start with an empty store; generated and printed once when unset.</summary>
    public string? BootstrapApiKey { get; set; }

    public string? BootstrapApiKeyFile { get; set; }

    [ValidateObjectMembers]
    public StorageOptions Storage { get; set; } = new();

    public EncryptionOptions Encryption { get; set; } = new();

    [ValidateObjectMembers]
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Largest request body accepted, in bytes.</summary>
    [SettingRange(1024, 16 * 1024 * 1024)]
    public int MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Failed authentications per client (an IPv4 address or an IPv6 /64) and per presented key id
    /// in a sliding minute; past it, wrong keys answer 429. A valid key is never refused.
    /// </summary>
    [SettingRange(1, 1_000_000)]
    public int MaxAuthFailuresPerMinute { get; set; } = 30;

    /// <summary>Reverse proxies (addresses or CIDR networks) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed.</summary>
    public IList<string> TrustedProxies { get; } = [];

    [ValidateObjectMembers]
    public PinOptions Pins { get; set; } = new();

    [ValidateObjectMembers]
    public ProtectionOptions Protection { get; set; } = new();

    [ValidateObjectMembers]
    public DeliveryOptions Delivery { get; set; } = new();

    [ValidateObjectMembers]
    public OpenTfa.Core.Workflows.WorkflowOptions Workflows { get; set; } = new();

    public RoutingOptions Routes { get; set; } = new();

    /// <summary>Named channel instances; each needs a <c>Type</c> (<c>log</c>, <c>discard</c>, …).</summary>
    public Dictionary<string, ChannelOptions> Channels { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [ValidateObjectMembers]
    public WebhookOptions Webhooks { get; set; } = new();

    [ValidateObjectMembers]
    public TelemetryOptions Telemetry { get; set; } = new();

    public LoggingOptions Logging { get; set; } = new();

    public ApiDocsOptions ApiDocs { get; set; } = new();

    [ValidateObjectMembers]
    public ConsoleOptions Console { get; set; } = new();
}

/// <summary>The web console (<c>OpenTfa:Console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>Serve the console at <c>/console</c> and its sign-in; off removes both.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a console session lasts after sign-in, whatever is done in it.</summary>
    [SettingRange(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>The OpenAPI document and the API reference (<c>OpenTfa:ApiDocs</c>).</summary>
public sealed class ApiDocsOptions
{
    /// <summary>Serve <c>/openapi/v1.json</c> and the reference at <c>/docs</c> (no key needed).</summary>
    public bool Enabled { get; set; } = true;
}

public sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    [OneOf("sqlite", "postgres")]
    public string Provider { get; set; } = "sqlite";

    /// <summary>For <c>postgres</c>, the Npgsql connection string; for <c>sqlite</c>, optionally the database file path.</summary>
    public string? ConnectionString { get; set; }

    public string? ConnectionStringFile { get; set; }

    /// <summary>SQLite <c>synchronous</c> mode: <c>NORMAL</c> (survives a killed process) or <c>FULL</c> (survives power loss).</summary>
    [OneOf("NORMAL", "FULL", IgnoreCase = true)]
    public string SqliteSynchronous { get; set; } = "NORMAL";

    /// <summary>
    /// Largest size of the SQLite database in megabytes; 0 leaves it to the disk. Reaching it fails
    /// writes as a full disk does, so that the database cannot fill a disk other services share.
    /// </summary>
    [SettingRange(0, 1_000_000)]
    public int SqliteMaxSizeMegabytes { get; set; }

    /// <summary>PostgreSQL: the longest opening a connection may take, a hung server included.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL: the longest one statement may run before it is cancelled and the request answers 503.</summary>
    [SettingRange(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// PostgreSQL: how long a node's lease of a slice of an application's send limit lasts; zero
    /// decides every send under the limit's lock instead (see deployment.md).
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan SendLimitLease { get; set; } = TimeSpan.FromSeconds(2);
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
    [SettingRange(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan PinAfterExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long verification history and message states are kept.</summary>
    [PositiveDuration]
    public TimeSpan History { get; set; } = TimeSpan.FromDays(30);

    [PositiveDuration]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class ChannelOptions
{
    public string? Type { get; set; }
}
