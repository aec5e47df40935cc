using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http.WhatsApp;

/// <summary>A <c>whatsapp</c> channel: authentication-template messages through Meta's WhatsApp Business Cloud API.</summary>
public sealed class WhatsAppChannelOptions : HttpChannelOptions
{
    public const string DefaultBaseUrl = "https://graph.facebook.com";
    public const string DefaultApiVersion = "v21.0";
    public const string DefaultTemplateName = "opentfa_code";

    public WhatsAppChannelOptions() => BaseUrl = new Uri(DefaultBaseUrl);

    /// <summary>The Graph API version in the path (<c>v21.0</c>).</summary>
    [SettingRequired]
    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>The id at Meta of the business phone number that sends.</summary>
    [SettingRequired]
    public string PhoneNumberId { get; set; } = string.Empty;

    /// <summary>A system user's access token with the whatsapp_business_messaging permission.</summary>
    public string AccessToken { get; set; } = string.Empty;

    /// <summary>The Meta app's secret, the key of <c>X-Hub-Signature-256</c>; without it status webhooks are refused.</summary>
    public string? AppSecret { get; set; }

    /// <summary>The token Meta presents when the webhook is subscribed; without it the handshake is refused.</summary>
    public string? VerifyToken { get; set; }

    /// <summary>The WhatsApp Business Account id, needed only to create the template through OpenTfa.</summary>
    public string? WabaId { get; set; }

    /// <summary>The approved authentication template's name.</summary>
    [SettingRequired]
    public string TemplateName { get; set; } = DefaultTemplateName;

    /// <summary>The template's language at Meta for every message; unset, the OpenTfa template's language (<c>pt_br</c> → <c>pt_BR</c>), else <c>en</c>.</summary>
    public string? TemplateLanguage { get; set; }

    /// <summary>Name and language at Meta per OpenTfa template id, replacing <see cref="TemplateName"/> and the language for that template's messages.</summary>
    public IReadOnlyDictionary<string, WhatsAppTemplateOptions> Templates { get; set; } = new Dictionary<string, WhatsAppTemplateOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>With <see cref="AndroidSignatureHash"/>: the Android app a one-tap template hands the code to.</summary>
    public string? AndroidPackageName { get; set; }

    /// <summary>The 11-character hash of the app's signing key, for a one-tap template.</summary>
    public string? AndroidSignatureHash { get; set; }

    /// <summary>When set, the template created through OpenTfa says the code expires in this many minutes.</summary>
    [SettingRange(1, 90)]
    public int? CodeExpirationMinutes { get; set; }

    /// <summary>Whether the template created through OpenTfa adds "For your security, do not share this code."</summary>
    public bool AddSecurityRecommendation { get; set; } = true;

    /// <summary>Whether a created template is one-tap autofill (an Android app is configured) rather than copy-code.</summary>
    internal bool OneTap => AndroidPackageName is not null && !string.IsNullOrWhiteSpace(AndroidSignatureHash);
}

/// <summary>The Meta template used for the messages of one OpenTfa template.</summary>
public sealed class WhatsAppTemplateOptions
{
    public string? Name { get; set; }

    public string? Language { get; set; }
}

[OptionsValidator]
internal sealed partial class WhatsAppChannelOptionsAttributes : IValidateOptions<WhatsAppChannelOptions>;

public sealed partial class WhatsAppChannelOptionsValidator(IOptions<DeliveryOptions> delivery) : HttpChannelOptionsValidator<WhatsAppChannelOptions>(delivery)
{
    protected override IValidateOptions<WhatsAppChannelOptions> Attributes { get; } = new WhatsAppChannelOptionsAttributes();

    /// <summary>Whether Meta takes <paramref name="name"/> as a template name.</summary>
    public static bool IsTemplateName(string name) => TemplateNamePattern().IsMatch(name);

    protected override IEnumerable<string> More(string section, WhatsAppChannelOptions options)
    {
        if (string.IsNullOrEmpty(options.AccessToken))
        {
            yield return $"{section}:AccessToken (or AccessTokenFile) is required: a system user's token with the whatsapp_business_messaging permission";
        }

        if (!ApiVersionPattern().IsMatch(options.ApiVersion))
        {
            yield return $"{section}:ApiVersion must be a Graph API version such as {WhatsAppChannelOptions.DefaultApiVersion}; got '{options.ApiVersion}'";
        }

        foreach ((string setting, string? id) in new[] { ("PhoneNumberId", (string?)options.PhoneNumberId), ("WabaId", options.WabaId) })
        {
            if (!string.IsNullOrEmpty(id) && !id.All(char.IsAsciiDigit))
            {
                yield return $"{section}:{setting} must be the id Meta shows for it (digits only); got '{id}'";
            }
        }

        IEnumerable<(string Prefix, string? Name, string? Language)> templates = options.Templates
            .Select(t => ($"{section}:Templates:{t.Key}:", t.Value.Name, t.Value.Language))
            .Prepend(($"{section}:Template", options.TemplateName, options.TemplateLanguage));
        foreach ((string prefix, string? name, string? language) in templates)
        {
            if (name is not null && !IsTemplateName(name))
            {
                yield return $"{prefix}Name must be a Meta template name (lower-case letters, digits and underscores, at most 512); got '{name}'";
            }

            if (language is not null && !WhatsAppLanguages.IsCode(language))
            {
                yield return $"{prefix}Language must be a Meta language code such as en, en_US or pt_BR; got '{language}'";
            }
        }

        foreach (string problem in AndroidProblems(section, options))
        {
            yield return problem;
        }
    }

    private static IEnumerable<string> AndroidProblems(string section, WhatsAppChannelOptions options)
    {
        bool package = options.AndroidPackageName is not null;
        bool hash = !string.IsNullOrWhiteSpace(options.AndroidSignatureHash);
        if (package != hash)
        {
            yield return $"{section}:AndroidPackageName and AndroidSignatureHash go together: a one-tap template needs both, a copy-code template neither";
        }

        if (package && !PackagePattern().IsMatch(options.AndroidPackageName!))
        {
            yield return $"{section}:AndroidPackageName must be an Android application id such as com.example.app; got '{options.AndroidPackageName}'";
        }

        if (hash && !SignatureHashPattern().IsMatch(options.AndroidSignatureHash!.Trim()))
        {
            yield return $"{section}:AndroidSignatureHash must be the app's 11-character signing key hash (letters, digits, + and /)";
        }
    }

    [GeneratedRegex(@"^v[0-9]+\.[0-9]+$")]
    private static partial Regex ApiVersionPattern();

    [GeneratedRegex("^[a-z0-9_]{1,512}$")]
    private static partial Regex TemplateNamePattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")]
    private static partial Regex PackagePattern();

    [GeneratedRegex("^[A-Za-z0-9+/]{11}$")]
    private static partial Regex SignatureHashPattern();
}

/// <summary>Meta's language codes: <c>en</c>, <c>en_US</c>, <c>pt_BR</c>, <c>zh_HK</c>.</summary>
public static partial class WhatsAppLanguages
{
    public const string Default = "en";

    public static bool IsCode(string code) => CodePattern().IsMatch(code);

    /// <summary>An OpenTfa language (<c>pt_br</c>, <c>pt-BR</c>, <c>de</c>) as Meta writes it (<c>pt_BR</c>, <c>de</c>); <see cref="Default"/> when there is none or it cannot be one.</summary>
    public static string FromOpenTfa(string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return Default;
        }

        string[] parts = language.Trim().Replace('-', '_').Split('_', 2);
        string code = parts.Length == 1 ? parts[0].ToLowerInvariant() : $"{parts[0].ToLowerInvariant()}_{parts[1].ToUpperInvariant()}";
        return IsCode(code) ? code : Default;
    }

    [GeneratedRegex("^[a-z]{2,3}(_[A-Za-z]{2,4})?$")]
    private static partial Regex CodePattern();
}
