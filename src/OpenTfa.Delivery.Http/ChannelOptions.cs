using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Delivery.Http;

/// <summary>Settings every HTTP gateway channel has.</summary>
public abstract class HttpChannelOptions
{
    /// <summary>The provider's API root; overridable for a regional endpoint or a test listener.</summary>
    public Uri BaseUrl { get; set; } = null!;

    /// <summary>How long one request may take, connecting included; below OpenTfa:Delivery:SendTimeout.</summary>
    [PositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Lets a gateway URL that names a public DNS name connect to whatever that name resolves
    /// to. Off: such a name must resolve to a globally reachable address at every connection.
    /// A literal address, localhost or a non-public name is connected to as configured either way.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }
}

/// <summary>A <c>kannel</c> channel: SMS through Kannel's <c>sendsms</c> interface.</summary>
public sealed class KannelChannelOptions : HttpChannelOptions
{
    [SettingRequired]
    public string Username { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    /// <summary>The sender when the message has none; Kannel's own default when both are empty.</summary>
    public string? From { get; set; }

    /// <summary>Kannel's <c>smsc</c> parameter: route through this SMSC id.</summary>
    public string? SmscId { get; set; }

    /// <summary>Which delivery reports to ask for (1 delivered, 2 failed, 4 buffered, 8 submitted, 16 rejected).</summary>
    [SettingRange(0, 31)]
    public int DlrMask { get; set; } = 31;

    /// <summary>OpenTfa's public base URL as Kannel reaches it; without it no delivery reports are asked for.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    /// <summary>The key of the per-message tokens in the callback URL; required with CallbackBaseUrl.</summary>
    public string? CallbackSecret { get; set; }
}

/// <summary>A <c>twilio-sms</c> channel: Twilio's Messages API.</summary>
public sealed class TwilioSmsChannelOptions : HttpChannelOptions
{
    public const string DefaultBaseUrl = "https://api.twilio.com";

    public TwilioSmsChannelOptions() => BaseUrl = new Uri(DefaultBaseUrl);

    [SettingRequired]
    public string AccountSid { get; set; } = string.Empty;

    public string AuthToken { get; set; } = string.Empty;

    /// <summary>The sender when the message has none and no messaging service is set.</summary>
    public string? From { get; set; }

    /// <summary>Sends through a Messaging Service (its sender pool) when the message has no sender.</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>OpenTfa's public base URL as Twilio reaches it; without it no status callbacks are asked for.</summary>
    public Uri? CallbackBaseUrl { get; set; }
}

/// <summary>What the two voice providers share: how the PIN is said and repeated.</summary>
public abstract class VoiceChannelOptions : HttpChannelOptions
{
    /// <summary>The caller id when the message's sender is not a phone number.</summary>
    public string? From { get; set; }

    /// <summary>The locale when the message has no language.</summary>
    [SettingRequired]
    public string Language { get; set; } = "en-US";

    /// <summary>Overrides of the locale per 2FA language (<c>pt_br</c> → <c>pt-BR</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Languages { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many times the PIN is said in one go.</summary>
    [SettingRange(1, 5)]
    public int Repeat { get; set; } = 2;

    /// <summary>Seconds to wait for the repeat keys after the PIN was said (at most 60 with Twilio, 10 with Vonage).</summary>
    public int GatherTimeout { get; set; } = 5;

    /// <summary>How many times the repeat keys replay the PIN in one call.</summary>
    [SettingRange(0, 10)]
    public int MaxReplays { get; set; } = 3;

    /// <summary>How long after the call was placed the repeat keys still work.</summary>
    [PositiveDuration]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>OpenTfa's public base URL as the provider reaches it; needed for the repeat keys and call status.</summary>
    public Uri? CallbackBaseUrl { get; set; }

    /// <summary>The key that seals a call's replay state in its callback URL.</summary>
    public string? CallbackSecret { get; set; }

    /// <summary>The caller id of a call: the message's sender when it is a phone number, else <see cref="From"/>.</summary>
    internal string? CallerId(string? sender) => sender is { } own && IsPhoneNumber(own) ? own : From;

    internal static bool IsPhoneNumber(string value)
    {
        string digits = value.StartsWith('+') ? value[1..] : value;
        return digits.Length is >= 5 and <= 15 && digits.All(char.IsAsciiDigit);
    }
}

/// <summary>A <c>twilio-voice</c> channel: a text-to-speech call through Twilio's Calls API with inline TwiML.</summary>
public sealed class TwilioVoiceChannelOptions : VoiceChannelOptions
{
    public TwilioVoiceChannelOptions() => BaseUrl = new Uri(TwilioSmsChannelOptions.DefaultBaseUrl);

    [SettingRequired]
    public string AccountSid { get; set; } = string.Empty;

    public string AuthToken { get; set; } = string.Empty;

    /// <summary>The <c>&lt;Say&gt;</c> voice when the message names none (man, woman, Polly.Joanna, Google.en-US-Standard-C, …).</summary>
    public string? Voice { get; set; }

    /// <summary>Seconds of <c>&lt;Pause&gt;</c> between two readings of the PIN.</summary>
    [SettingRange(0, 10)]
    public int PauseSeconds { get; set; } = 1;
}

/// <summary>A <c>vonage-voice</c> channel: a text-to-speech call through Vonage's Voice API with an inline NCCO.</summary>
public sealed class VonageVoiceChannelOptions : VoiceChannelOptions
{
    public const string DefaultBaseUrl = "https://api.nexmo.com";

    public VonageVoiceChannelOptions() => BaseUrl = new Uri(DefaultBaseUrl);

    [SettingRequired]
    public string ApplicationId { get; set; } = string.Empty;

    /// <summary>The application's private key (PEM) that signs the RS256 JWT.</summary>
    public string PrivateKey { get; set; } = string.Empty;

    /// <summary>The talk action's <c>style</c> when the message's voiceName is not a style number.</summary>
    [SettingRange(0, 100)]
    public int? Style { get; set; }

    /// <summary>The talk action's <c>premium</c>: the premium version of the style where there is one.</summary>
    public bool Premium { get; set; }
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
    public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}

[OptionsValidator]
internal sealed partial class KannelChannelOptionsAttributes : IValidateOptions<KannelChannelOptions>;

[OptionsValidator]
internal sealed partial class TwilioSmsChannelOptionsAttributes : IValidateOptions<TwilioSmsChannelOptions>;

[OptionsValidator]
internal sealed partial class TwilioVoiceChannelOptionsAttributes : IValidateOptions<TwilioVoiceChannelOptions>;

[OptionsValidator]
internal sealed partial class VonageVoiceChannelOptionsAttributes : IValidateOptions<VonageVoiceChannelOptions>;

[OptionsValidator]
internal sealed partial class WebhookChannelOptionsAttributes : IValidateOptions<WebhookChannelOptions>;

/// <summary>The rules every HTTP gateway shares: its URLs, and a timeout below the dispatcher's.</summary>
public abstract class HttpChannelOptionsValidator<TOptions>(IOptions<DeliveryOptions> delivery) : ChannelSettingsValidator<TOptions>
    where TOptions : HttpChannelOptions
{
    /// <summary>The name of the gateway URL setting (<c>Url</c> for the webhook channel).</summary>
    protected virtual string UrlSetting => nameof(HttpChannelOptions.BaseUrl);

    protected override IEnumerable<string> Rules(string? name, string section, TOptions options)
    {
        if (UrlProblem($"{section}:{UrlSetting}", options.BaseUrl, required: true) is { } url)
        {
            yield return url;
        }

        TimeSpan sendTimeout = delivery.Value.SendTimeout;
        if (options.Timeout >= sendTimeout)
        {
            yield return $"{section}:Timeout ({options.Timeout}) must be shorter than OpenTfa:Delivery:SendTimeout ({sendTimeout}), so that a slow gateway ends as a temporary failure rather than being cut off";
        }

        foreach (string problem in More(section, options))
        {
            yield return problem;
        }
    }

    /// <summary>The rules of one gateway type.</summary>
    protected abstract IEnumerable<string> More(string section, TOptions options);

    /// <summary>An absolute http or https URL without credentials or fragment.</summary>
    protected static string? UrlProblem(string setting, Uri? url, bool required)
    {
        if (url is null)
        {
            return required ? $"{setting} is required." : null;
        }

        return url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(url.Fragment) && string.IsNullOrEmpty(url.UserInfo)
            ? null
            : $"{setting} must be an absolute http or https URL without credentials or fragment; got '{SecretRedaction.Value(setting, url.OriginalString)}'";
    }

    /// <summary>OpenTfa's own base URL as the provider calls it back.</summary>
    protected static string? CallbackProblem(string section, Uri? callback)
    {
        string setting = $"{section}:CallbackBaseUrl";
        return UrlProblem(setting, callback, required: false) ?? (callback is not null && (!string.IsNullOrEmpty(callback.Query) || callback.AbsoluteUri.Contains('%', StringComparison.Ordinal))
            ? $"{setting} must be a plain base URL (no query, no percent escapes), such as https://otp.example.com; got '{SecretRedaction.Text(callback.ToString())}'."
            : null);
    }

    protected static IEnumerable<string> AccountProblems(string section, string accountSid, string authToken)
    {
        if (string.IsNullOrEmpty(authToken))
        {
            yield return $"{section}:AuthToken (or AuthTokenFile) is required";
        }

        if (accountSid.Length > 0 && (accountSid.Contains('/', StringComparison.Ordinal) || accountSid.Contains(':', StringComparison.Ordinal) || accountSid.Any(char.IsWhiteSpace)))
        {
            yield return $"{section}:AccountSid must be an account SID such as AC0123…; got '{accountSid}'";
        }
    }

    protected static IEnumerable<string> VoiceProblems(string section, VoiceChannelOptions options, int maxGatherTimeout)
    {
        if (options.GatherTimeout is < 1 || options.GatherTimeout > maxGatherTimeout)
        {
            yield return $"{section}:GatherTimeout must be between 1 and {maxGatherTimeout}, was {options.GatherTimeout}";
        }

        if (options.From is not null && !VoiceChannelOptions.IsPhoneNumber(options.From))
        {
            yield return $"{section}:From must be a phone number in international format such as +41793026727; got '{options.From}'";
        }

        if (CallbackProblem(section, options.CallbackBaseUrl) is { } callback)
        {
            yield return callback;
        }
    }
}

public sealed class KannelChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<KannelChannelOptions>(delivery)
{
    protected override IValidateOptions<KannelChannelOptions> Attributes { get; } = new KannelChannelOptionsAttributes();

    protected override IEnumerable<string> More(string section, KannelChannelOptions options)
    {
        if (string.IsNullOrEmpty(options.Password))
        {
            yield return $"{section}:Password (or PasswordFile) is required";
        }

        if (CallbackProblem(section, options.CallbackBaseUrl) is { } callback)
        {
            yield return callback;
        }
        else if (options.CallbackBaseUrl is not null && (options.CallbackSecret is null || options.CallbackSecret.Length < 16))
        {
            yield return $"{section}:CallbackSecret (or CallbackSecretFile) of at least 16 characters is required with CallbackBaseUrl: it authenticates Kannel's delivery reports";
        }
    }
}

public sealed class TwilioSmsChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<TwilioSmsChannelOptions>(delivery)
{
    protected override IValidateOptions<TwilioSmsChannelOptions> Attributes { get; } = new TwilioSmsChannelOptionsAttributes();

    protected override IEnumerable<string> More(string section, TwilioSmsChannelOptions options) =>
        AccountProblems(section, options.AccountSid, options.AuthToken).Concat(new[] { CallbackProblem(section, options.CallbackBaseUrl) }.OfType<string>());
}

public sealed class TwilioVoiceChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<TwilioVoiceChannelOptions>(delivery)
{
    protected override IValidateOptions<TwilioVoiceChannelOptions> Attributes { get; } = new TwilioVoiceChannelOptionsAttributes();

    protected override IEnumerable<string> More(string section, TwilioVoiceChannelOptions options) =>
        [.. AccountProblems(section, options.AccountSid, options.AuthToken), .. VoiceProblems(section, options, maxGatherTimeout: 60)];
}

public sealed class VonageVoiceChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<VonageVoiceChannelOptions>(delivery)
{
    protected override IValidateOptions<VonageVoiceChannelOptions> Attributes { get; } = new VonageVoiceChannelOptionsAttributes();

    protected override IEnumerable<string> More(string section, VonageVoiceChannelOptions options)
    {
        foreach (string problem in VoiceProblems(section, options, maxGatherTimeout: 10))
        {
            yield return problem;
        }

        if (string.IsNullOrEmpty(options.PrivateKey))
        {
            yield return $"{section}:PrivateKey (or PrivateKeyFile) is required: the application's private key in PEM";
        }
        else if (!IsRsaKey(options.PrivateKey))
        {
            yield return $"{section}:PrivateKey is not an RSA private key in PEM (-----BEGIN PRIVATE KEY-----)";
        }
    }

    private static bool IsRsaKey(string pem)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}

public sealed class WebhookChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<WebhookChannelOptions>(delivery)
{
    protected override IValidateOptions<WebhookChannelOptions> Attributes { get; } = new WebhookChannelOptionsAttributes();

    protected override string UrlSetting => nameof(WebhookChannelOptions.Url);

    protected override IEnumerable<string> More(string section, WebhookChannelOptions options)
    {
        if (options.Secret.Length < 16)
        {
            yield return $"{section}:Secret (or SecretFile) of at least 16 characters is required: it signs every request";
        }

        foreach ((string name, string value) in options.Headers)
        {
            if (name.Any(c => c <= ' ' || c == ':') || SmsText.HasLineBreak(value))
            {
                yield return $"{section}:Headers:{name} is not a valid header name and value";
            }
        }
    }
}
