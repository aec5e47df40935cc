using OpenTfa.Core.Delivery;
using Microsoft.Extensions.Configuration;
using MimeKit;

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

/// <summary>One <c>smtp</c> channel (<c>OpenTfa:Channels:&lt;name&gt;</c> with <c>Type</c> = <c>smtp</c>).</summary>
public sealed class SmtpChannelOptions
{
    public string Host { get; set; } = string.Empty;

    /// <summary>25 with no security, 587 with STARTTLS, 465 with TLS unless set.</summary>
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
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Reads and checks the section; every problem names its setting, and none shows the password.</summary>
    public static SmtpChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        var reader = new ChannelSettingsReader(section);
        var options = new SmtpChannelOptions
        {
            Host = reader.Required(nameof(Host)) ?? string.Empty,
            Security = reader.Enum(nameof(Security), SmtpSecurity.StartTls),
            AllowInvalidCertificate = reader.Bool(nameof(AllowInvalidCertificate), false),
            Username = reader.String(nameof(Username)),
            Password = reader.Secret(nameof(Password)),
            From = reader.String(nameof(From)),
            HeloName = reader.String(nameof(HeloName)),
            Timeout = reader.Duration(nameof(Timeout), TimeSpan.FromSeconds(20)),
        };
        options.Port = reader.Int(nameof(Port), options.Security switch { SmtpSecurity.None => 25, SmtpSecurity.Tls => 465, _ => 587 }, 1, 65535);
        reader.RejectUnknown("smtp");

        if (options.From is not null && (HasLineBreak(options.From) || !MailboxAddress.TryParse(options.From, out _)))
        {
            reader.Problems.Add($"{section.Path}:From must be one e-mail address such as 'Example <no-reply@example.com>'; got '{options.From}'.");
        }

        if (options.HeloName is not null && (HasLineBreak(options.HeloName) || options.HeloName.Any(char.IsWhiteSpace)))
        {
            reader.Problems.Add($"{section.Path}:HeloName must be a host name without spaces; got '{options.HeloName}'.");
        }

        if (options.Username is not null && options.Password is null)
        {
            reader.Problems.Add($"{section.Path}:Password (or PasswordFile) is required when Username is set.");
        }

        if (options.Timeout >= sendTimeout)
        {
            reader.Problems.Add($"{section.Path}:Timeout ({options.Timeout}) must be shorter than OpenTfa:Delivery:SendTimeout ({sendTimeout}), so that a slow relay ends as a temporary failure rather than being cut off.");
        }

        problems = reader.Problems;
        return options;
    }

    internal static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;
}
