using System.Globalization;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Delivery.Smpp;

/// <summary>How the sessions of one SMPP account bind.</summary>
public enum SmppBindMode
{
    /// <summary>Each session is a bind_transceiver: submits go out and receipts come back on it.</summary>
    Transceiver,

    /// <summary>Each of <see cref="SmppConnectionOptions.Binds"/> is a bind_transmitter plus a bind_receiver.</summary>
    TransmitterAndReceiver,
}

/// <summary>One SMPP account at one SMSC. Every time span must be positive.</summary>
public sealed class SmppConnectionOptions
{
    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 2775;

    /// <summary>system_id of the bind, 1–15 characters.</summary>
    public string SystemId { get; set; } = string.Empty;

    /// <summary>password of the bind, at most 8 characters. Never logged.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary>system_type of the bind, at most 12 characters; most SMSCs want it empty.</summary>
    public string SystemType { get; set; } = string.Empty;

    /// <summary>address_range of receiver and transceiver binds, at most 40 characters.</summary>
    public string AddressRange { get; set; } = string.Empty;

    public SmppBindMode BindMode { get; set; } = SmppBindMode.Transceiver;

    /// <summary>Connect over TLS (SMPP over TLS, often port 3550).</summary>
    public bool UseTls { get; set; }

    /// <summary>Accept a certificate that fails validation. For test SMSCs only.</summary>
    public bool AllowInvalidCertificate { get; set; }

    /// <summary>Parallel sessions (each with its own window).</summary>
    public int Binds { get; set; } = 1;

    /// <summary>submit_sm awaiting their submit_sm_resp, per session.</summary>
    public int WindowSize { get; set; } = 10;

    /// <summary>submit_sm per second across all sessions of this client; 0 means no cap.</summary>
    public int MaxMessagesPerSecond { get; set; } = 50;

    public TimeSpan EnquireLinkInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for any response; an unanswered enquire_link drops the link.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a TCP (and TLS) connect may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First pause after ESME_RTHROTTLED or ESME_RMSGQFUL; it doubles on each further one.</summary>
    public TimeSpan ThrottleRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often one segment is retried after ESME_RTHROTTLED or ESME_RMSGQFUL before it fails as Temporary.</summary>
    public int MaxThrottleRetries { get; set; } = 5;

    /// <summary>Relative validity period of submitted messages; null leaves it to the SMSC. At most 99 days.</summary>
    public TimeSpan? ValidityPeriod { get; set; }

    /// <summary>source_addr_ton for every message; null chooses from the sender (see the notes).</summary>
    public byte? SourceTon { get; set; }

    public byte? SourceNpi { get; set; }

    /// <summary>dest_addr_ton for every message; null means 1 (international).</summary>
    public byte? DestTon { get; set; }

    /// <summary>dest_addr_npi for every message; null means 1 (ISDN/E.164).</summary>
    public byte? DestNpi { get; set; }

    /// <summary>Every problem with the settings, each naming the setting and (except the password) its value.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Host is required");
        }

        if (Port is < 1 or > 65535)
        {
            errors.Add($"Port must be between 1 and 65535; got {Port}");
        }

        CheckOctetString(errors, nameof(SystemId), SystemId, 15, required: true);
        if (Password is null || Password.Length > 8 || !IsOctetString(Password))
        {
            errors.Add("Password must be at most 8 single-octet characters (its value is not shown)");
        }

        CheckOctetString(errors, nameof(SystemType), SystemType, 12, required: false);
        CheckOctetString(errors, nameof(AddressRange), AddressRange, 40, required: false);
        if (!Enum.IsDefined(BindMode))
        {
            errors.Add($"BindMode must be Transceiver or TransmitterAndReceiver; got {BindMode}");
        }

        if (Binds is < 1 or > 64)
        {
            errors.Add($"Binds must be between 1 and 64; got {Binds}");
        }

        if (WindowSize is < 1 or > 1000)
        {
            errors.Add($"WindowSize must be between 1 and 1000; got {WindowSize}");
        }

        if (MaxMessagesPerSecond < 0)
        {
            errors.Add($"MaxMessagesPerSecond must be 0 (no cap) or more; got {MaxMessagesPerSecond}");
        }

        if (MaxThrottleRetries < 0)
        {
            errors.Add($"MaxThrottleRetries must be 0 or more; got {MaxThrottleRetries}");
        }

        CheckPositive(errors, nameof(EnquireLinkInterval), EnquireLinkInterval);
        CheckPositive(errors, nameof(ResponseTimeout), ResponseTimeout);
        CheckPositive(errors, nameof(ConnectTimeout), ConnectTimeout);
        CheckPositive(errors, nameof(ReconnectInitialDelay), ReconnectInitialDelay);
        CheckPositive(errors, nameof(ReconnectMaxDelay), ReconnectMaxDelay);
        CheckPositive(errors, nameof(ThrottleRetryDelay), ThrottleRetryDelay);
        if (ReconnectMaxDelay < ReconnectInitialDelay)
        {
            errors.Add($"ReconnectMaxDelay ({ReconnectMaxDelay}) must not be shorter than ReconnectInitialDelay ({ReconnectInitialDelay})");
        }

        if (ValidityPeriod is { } validity && (validity < TimeSpan.FromSeconds(1) || validity >= TimeSpan.FromDays(100)))
        {
            errors.Add($"ValidityPeriod must be between 1 second and 99 days; got {validity}");
        }

        return errors;
    }

    private static void CheckPositive(List<string> errors, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            errors.Add($"{name} must be more than zero and at most one day; got {value.ToString("c", CultureInfo.InvariantCulture)}");
        }
    }

    private static void CheckOctetString(List<string> errors, string name, string? value, int max, bool required)
    {
        if (required && string.IsNullOrEmpty(value))
        {
            errors.Add($"{name} is required");
        }
        else if (value is not null && (value.Length > max || !IsOctetString(value)))
        {
            errors.Add($"{name} must be at most {max} printable ASCII characters; got '{SecretRedaction.Value(name, value)}'");
        }
    }

    private static bool IsOctetString(string value) => value.All(c => c is >= ' ' and <= '~');
}

/// <summary>
/// Validates <see cref="SmppConnectionOptions"/> for <c>ValidateOnStart</c>; options named after a
/// channel have each problem prefixed with the channel's section (<c>OpenTfa:Channels:&lt;name&gt;:</c>).
/// </summary>
public sealed class SmppConnectionOptionsValidator : IValidateOptions<SmppConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, SmppConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        string prefix = string.IsNullOrEmpty(name) ? string.Empty : ChannelSettings.PathOf(name) + ":";
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => prefix + e));
    }
}
