using Microsoft.Extensions.Configuration;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Delivery.Http;

/// <summary>Settings every HTTP gateway channel has.</summary>
public abstract class HttpChannelOptions
{
    /// <summary>The provider's API root; overridable for a regional endpoint or a test listener.</summary>
    public Uri BaseUrl { get; set; } = null!;

    /// <summary>How long one request may take, connecting included; below OpenTfa:Delivery:SendTimeout.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Lets a gateway URL that names a public DNS name connect to whatever that name resolves
    /// to. Off: such a name must resolve to a globally reachable address at every connection.
    /// A literal address, localhost or a non-public name is connected to as configured either way.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    internal void ReadCommon(ChannelSettingsReader reader, string defaultBaseUrl, bool baseUrlRequired, TimeSpan sendTimeout)
    {
        BaseUrl = reader.Url(nameof(BaseUrl), baseUrlRequired ? null : defaultBaseUrl, required: true) ?? new Uri(defaultBaseUrl.Length > 0 ? defaultBaseUrl : "http://invalid");
        Timeout = reader.Duration(nameof(Timeout), TimeSpan.FromSeconds(10));
        AllowPrivateNetworks = reader.Bool(nameof(AllowPrivateNetworks), false);
        if (Timeout >= sendTimeout)
        {
            reader.Problems.Add($"{reader.Path}:Timeout ({Timeout}) must be shorter than OpenTfa:Delivery:SendTimeout ({sendTimeout}), so that a slow gateway ends as a temporary failure rather than being cut off.");
        }
    }

    internal static Uri? ReadCallbackBase(ChannelSettingsReader reader)
    {
        Uri? callback = reader.Url("CallbackBaseUrl");
        if (callback is not null && (!string.IsNullOrEmpty(callback.Query) || callback.AbsoluteUri.Contains('%', StringComparison.Ordinal)))
        {
            reader.Problems.Add($"{reader.Path}:CallbackBaseUrl must be a plain base URL (no query, no percent escapes), such as https://otp.example.com; got '{SecretRedaction.Text(callback.ToString())}'.");
            return null;
        }

        return callback;
    }
}

/// <summary>A <c>kannel</c> channel: SMS through Kannel's <c>sendsms</c> interface.</summary>
public sealed class KannelChannelOptions : HttpChannelOptions
{
    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>The sender when the message has none; Kannel's own default when both are empty.</summary>
    public string? From { get; set; }

    /// <summary>Kannel's <c>smsc</c> parameter: route through this SMSC id.</summary>
    public string? SmscId { get; set; }

    /// <summary>Which delivery reports to ask for (1 delivered, 2 failed, 4 buffered, 8 submitted, 16 rejected).</summary>
    public int DlrMask { get; set; } = 31;

    /// <summary>OpenTfa's public base URL as Kannel reaches it; without it no delivery reports are asked for.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    /// <summary>The key of the per-message tokens in the callback URL; required with CallbackBaseUrl.</summary>
    public string? CallbackSecret { get; set; }

    public static KannelChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        var reader = new ChannelSettingsReader(section);
        var options = new KannelChannelOptions
        {
            Username = reader.Required(nameof(Username)) ?? string.Empty,
            Password = reader.Secret(nameof(Password)) ?? string.Empty,
            From = reader.String(nameof(From)),
            SmscId = reader.String(nameof(SmscId)),
            DlrMask = reader.Int(nameof(DlrMask), 31, 0, 31),
            CallbackBaseUrl = ReadCallbackBase(reader),
            CallbackSecret = reader.Secret(nameof(CallbackSecret)),
        };
        options.ReadCommon(reader, string.Empty, baseUrlRequired: true, sendTimeout);
        if (options.Password.Length == 0)
        {
            reader.Problems.Add($"{section.Path}:Password (or PasswordFile) is required.");
        }

        if (options.CallbackBaseUrl is not null && (options.CallbackSecret is null || options.CallbackSecret.Length < 16))
        {
            reader.Problems.Add($"{section.Path}:CallbackSecret (or CallbackSecretFile) of at least 16 characters is required with CallbackBaseUrl: it authenticates Kannel's delivery reports.");
        }

        reader.RejectUnknown("kannel");
        problems = reader.Problems;
        return options;
    }
}

/// <summary>A <c>twilio-sms</c> channel: Twilio's Messages API.</summary>
public sealed class TwilioSmsChannelOptions : HttpChannelOptions
{
    public const string DefaultBaseUrl = "https://api.twilio.com";

    public string AccountSid { get; set; } = string.Empty;

    public string AuthToken { get; set; } = string.Empty;

    /// <summary>The sender when the message has none and no messaging service is set.</summary>
    public string? From { get; set; }

    /// <summary>Sends through a Messaging Service (its sender pool) when the message has no sender.</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>OpenTfa's public base URL as Twilio reaches it; without it no status callbacks are asked for.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    public static TwilioSmsChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        var reader = new ChannelSettingsReader(section);
        var options = new TwilioSmsChannelOptions
        {
            AccountSid = reader.Required(nameof(AccountSid)) ?? string.Empty,
            AuthToken = reader.Secret(nameof(AuthToken)) ?? string.Empty,
            From = reader.String(nameof(From)),
            MessagingServiceSid = reader.String(nameof(MessagingServiceSid)),
            CallbackBaseUrl = ReadCallbackBase(reader),
        };
        options.ReadCommon(reader, DefaultBaseUrl, baseUrlRequired: false, sendTimeout);
        TwilioVoiceChannelOptions.CheckAccount(reader, options.AccountSid, options.AuthToken);
        reader.RejectUnknown("twilio-sms");
        problems = reader.Problems;
        return options;
    }
}

/// <summary>What the two voice providers share: how the PIN is said and repeated.</summary>
public abstract class VoiceChannelOptions : HttpChannelOptions
{
    /// <summary>The caller id when the message's sender is not a phone number.</summary>
    public string? From { get; set; }

    /// <summary>The locale when the message has no language.</summary>
    public string Language { get; set; } = "en-US";

    /// <summary>Overrides of the locale per 2FA language (<c>pt_br</c> → <c>pt-BR</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Languages { get; set; } = new Dictionary<string, string>();

    /// <summary>How many times the PIN is said in one go.</summary>
    public int Repeat { get; set; } = 2;

    /// <summary>Seconds to wait for the repeat keys after the PIN was said.</summary>
    public int GatherTimeout { get; set; } = 5;

    /// <summary>How many times the repeat keys replay the PIN in one call.</summary>
    public int MaxReplays { get; set; } = 3;

    /// <summary>How long after the call was placed the repeat keys still work.</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>OpenTfa's public base URL as the provider reaches it; needed for the repeat keys and call status.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    /// <summary>The key that seals a call's replay state in its callback URL.</summary>
    public string? CallbackSecret { get; set; }

    internal void ReadVoice(ChannelSettingsReader reader, int maxGatherTimeout)
    {
        From = reader.String(nameof(From));
        Language = reader.String(nameof(Language)) ?? "en-US";
        Languages = reader.Map(nameof(Languages));
        Repeat = reader.Int(nameof(Repeat), 2, 1, 5);
        GatherTimeout = reader.Int(nameof(GatherTimeout), 5, 1, maxGatherTimeout);
        MaxReplays = reader.Int(nameof(MaxReplays), 3, 0, 10);
        ReplayWindow = reader.Duration(nameof(ReplayWindow), TimeSpan.FromMinutes(10));
        CallbackBaseUrl = ReadCallbackBase(reader);
        CallbackSecret = reader.Secret(nameof(CallbackSecret));
        if (From is not null && !IsPhoneNumber(From))
        {
            reader.Problems.Add($"{reader.Path}:From must be a phone number in international format such as +41793026727; got '{From}'.");
        }
    }

    internal static bool IsPhoneNumber(string value)
    {
        string digits = value.StartsWith('+') ? value[1..] : value;
        return digits.Length is >= 5 and <= 15 && digits.All(char.IsAsciiDigit);
    }
}

/// <summary>A <c>twilio-voice</c> channel: a text-to-speech call through Twilio's Calls API with inline TwiML.</summary>
public sealed class TwilioVoiceChannelOptions : VoiceChannelOptions
{
    public string AccountSid { get; set; } = string.Empty;

    public string AuthToken { get; set; } = string.Empty;

    /// <summary>The <c>&lt;Say&gt;</c> voice when the message names none (man, woman, Polly.Joanna, Google.en-US-Standard-C, …).</summary>
    public string? Voice { get; set; }

    /// <summary>Seconds of <c>&lt;Pause&gt;</c> between two readings of the PIN.</summary>
    public int PauseSeconds { get; set; } = 1;

    public static TwilioVoiceChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        var reader = new ChannelSettingsReader(section);
        var options = new TwilioVoiceChannelOptions
        {
            AccountSid = reader.Required(nameof(AccountSid)) ?? string.Empty,
            AuthToken = reader.Secret(nameof(AuthToken)) ?? string.Empty,
            Voice = reader.String(nameof(Voice)),
            PauseSeconds = reader.Int(nameof(PauseSeconds), 1, 0, 10),
        };
        options.ReadCommon(reader, TwilioSmsChannelOptions.DefaultBaseUrl, baseUrlRequired: false, sendTimeout);
        options.ReadVoice(reader, maxGatherTimeout: 60);
        CheckAccount(reader, options.AccountSid, options.AuthToken);
        reader.RejectUnknown("twilio-voice");
        problems = reader.Problems;
        return options;
    }

    internal static void CheckAccount(ChannelSettingsReader reader, string accountSid, string authToken)
    {
        if (authToken.Length == 0)
        {
            reader.Problems.Add($"{reader.Path}:AuthToken (or AuthTokenFile) is required.");
        }

        if (accountSid.Length > 0 && (accountSid.Contains('/', StringComparison.Ordinal) || accountSid.Contains(':', StringComparison.Ordinal) || accountSid.Any(char.IsWhiteSpace)))
        {
            reader.Problems.Add($"{reader.Path}:AccountSid must be an account SID such as AC0123…; got '{accountSid}'.");
        }
    }
}

/// <summary>A <c>vonage-voice</c> channel: a text-to-speech call through Vonage's Voice API with an inline NCCO.</summary>
public sealed class VonageVoiceChannelOptions : VoiceChannelOptions
{
    public const string DefaultBaseUrl = "https://api.nexmo.com";

    public string ApplicationId { get; set; } = string.Empty;

    /// <summary>The application's private key (PEM) that signs the RS256 JWT.</summary>
    public string PrivateKey { get; set; } = string.Empty;

    /// <summary>The talk action's <c>style</c> when the message's voiceName is not a style number.</summary>
    public int? Style { get; set; }

    /// <summary>The talk action's <c>premium</c>: the premium version of the style where there is one.</summary>
    public bool Premium { get; set; }

    public static VonageVoiceChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        var reader = new ChannelSettingsReader(section);
        var options = new VonageVoiceChannelOptions
        {
            ApplicationId = reader.Required(nameof(ApplicationId)) ?? string.Empty,
            PrivateKey = reader.Secret(nameof(PrivateKey)) ?? string.Empty,
            Premium = reader.Bool(nameof(Premium), false),
        };
        int style = reader.Int(nameof(Style), -1, -1, 100);
        options.Style = style < 0 ? null : style;
        options.ReadCommon(reader, DefaultBaseUrl, baseUrlRequired: false, sendTimeout);
        options.ReadVoice(reader, maxGatherTimeout: 10);
        if (options.PrivateKey.Length == 0)
        {
            reader.Problems.Add($"{section.Path}:PrivateKey (or PrivateKeyFile) is required: the application's private key in PEM.");
        }
        else
        {
            try
            {
                using var rsa = System.Security.Cryptography.RSA.Create();
                rsa.ImportFromPem(options.PrivateKey);
            }
            catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
            {
                reader.Problems.Add($"{section.Path}:PrivateKey is not an RSA private key in PEM (-----BEGIN PRIVATE KEY-----).");
            }
        }

        reader.RejectUnknown("vonage-voice");
        problems = reader.Problems;
        return options;
    }
}

/// <summary>A <c>webhook</c> channel: SMS handed to the operator's own gateway as signed JSON.</summary>
public sealed class WebhookChannelOptions : HttpChannelOptions
{
    /// <summary>Where each message is POSTed.</summary>
    public Uri Url
    {
        get => BaseUrl;
        set => BaseUrl = value;
    }

    /// <summary>The key of the <c>OpenTfa-Signature</c> header.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>Extra request headers (an API key of the gateway, …).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();

    public static WebhookChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        var reader = new ChannelSettingsReader(section);
        var options = new WebhookChannelOptions
        {
            Secret = reader.Secret(nameof(Secret)) ?? string.Empty,
            Headers = reader.Map(nameof(Headers)),
        };
        Uri? url = reader.Url("Url", required: true);
        options.Url = url ?? new Uri("http://invalid");
        options.Timeout = reader.Duration(nameof(Timeout), TimeSpan.FromSeconds(10));
        options.AllowPrivateNetworks = reader.Bool(nameof(AllowPrivateNetworks), false);
        if (options.Timeout >= sendTimeout)
        {
            reader.Problems.Add($"{section.Path}:Timeout ({options.Timeout}) must be shorter than OpenTfa:Delivery:SendTimeout ({sendTimeout}).");
        }

        if (options.Secret.Length < 16)
        {
            reader.Problems.Add($"{section.Path}:Secret (or SecretFile) of at least 16 characters is required: it signs every request.");
        }

        foreach ((string name, string value) in options.Headers)
        {
            if (name.Any(c => c <= ' ' || c == ':') || SmsText.HasLineBreak(value))
            {
                reader.Problems.Add($"{section.Path}:Headers:{name} is not a valid header name and value.");
            }
        }

        reader.RejectUnknown("webhook");
        problems = reader.Problems;
        return options;
    }
}
