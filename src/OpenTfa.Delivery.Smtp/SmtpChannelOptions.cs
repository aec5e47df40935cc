using Microsoft.Extensions.Options;
using MimeKit;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smtp;

/// <summary>How the connection to the relay is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text (a relay on the same host or a trusted network only).</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS; refused if the relay does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    Tls,
}

/// <summary>One <c>smtp</c> channel (<c>OpenTfa:Channels:&lt;name&gt;</c> with <c>Type</c> = <c>smtp</c>), bound as named options.</summary>
public sealed class SmtpChannelOptions
{
    [SettingRequired]
    public string Host { get; set; } = string.Empty;

    /// <summary>25 with no security, 587 with STARTTLS, 465 with TLS unless set.</summary>
    [SettingRange(1, 65535)]
    public int Port { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Accepts any relay certificate. For tests against a self-signed relay only.</summary>
    public bool AllowInvalidCertificate { get; set; }

    /// <summary>Authenticates when set (the strongest mechanism both sides offer).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The sender when the message has none (template <c>from</c> or OpenTfa:Pins default).</summary>
    public string? From { get; set; }

    /// <summary>The name this host gives in EHLO; the machine's name when unset.</summary>
    public string? HeloName { get; set; }

    /// <summary>How long connecting, authenticating and sending one message may take.</summary>
    [PositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The port <paramref name="security"/> implies when none is set.</summary>
    internal static int DefaultPort(SmtpSecurity security) => security switch { SmtpSecurity.None => 25, SmtpSecurity.Tls => 465, _ => 587 };

    internal static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;
}

[OptionsValidator]
internal sealed partial class SmtpChannelOptionsAttributes : IValidateOptions<SmtpChannelOptions>;

/// <summary>Checks an <c>smtp</c> channel's settings; no message shows the password.</summary>
internal sealed class SmtpChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : ChannelSettingsValidator<SmtpChannelOptions>
{
    protected override IValidateOptions<SmtpChannelOptions> Attributes { get; } = new SmtpChannelOptionsAttributes();

    protected override IEnumerable<string> Rules(string? name, string section, SmtpChannelOptions options)
    {
        if (options.From is not null && (SmtpChannelOptions.HasLineBreak(options.From) || !MailboxAddress.TryParse(options.From, out _)))
        {
            yield return $"{section}:From must be one e-mail address such as 'Example <no-reply@example.com>'; got '{options.From}'";
        }

        if (options.HeloName is not null && (SmtpChannelOptions.HasLineBreak(options.HeloName) || options.HeloName.Any(char.IsWhiteSpace)))
        {
            yield return $"{section}:HeloName must be a host name without spaces; got '{options.HeloName}'";
        }

        if (!string.IsNullOrEmpty(options.Username) && string.IsNullOrEmpty(options.Password))
        {
            yield return $"{section}:Password (or PasswordFile) is required when Username is set";
        }

        TimeSpan sendTimeout = delivery.Value.SendTimeout;
        if (options.Timeout >= sendTimeout)
        {
            yield return $"{section}:Timeout ({options.Timeout}) must be shorter than OpenTfa:Delivery:SendTimeout ({sendTimeout}), so that a slow relay ends as a temporary failure rather than being cut off";
        }
    }
}
