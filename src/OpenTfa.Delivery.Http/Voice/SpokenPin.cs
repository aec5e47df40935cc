using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Http.Voice;

/// <summary>
/// Turns a PIN message into what a text-to-speech engine should say: the PIN read character by
/// character with a pause after each (<c>1, 5, 9, 8</c>), the language as a BCP-47 tag, and the
/// speech rate as an SSML prosody rate.
/// </summary>
public static partial class SpokenPin
{
    // Infobip's 2FA languages and the locale a TTS voice needs for each.
    private static readonly Dictionary<string, string> Locales = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = "en-US", ["es"] = "es-ES", ["ca"] = "ca-ES", ["da"] = "da-DK", ["nl"] = "nl-NL", ["fr"] = "fr-FR",
        ["de"] = "de-DE", ["it"] = "it-IT", ["ja"] = "ja-JP", ["ko"] = "ko-KR", ["no"] = "nb-NO", ["pl"] = "pl-PL",
        ["ru"] = "ru-RU", ["sv"] = "sv-SE", ["fi"] = "fi-FI", ["hr"] = "hr-HR", ["sl"] = "sl-SI", ["ro"] = "ro-RO",
        ["pt_pt"] = "pt-PT", ["pt_br"] = "pt-BR", ["zh_cn"] = "zh-CN", ["zh_tw"] = "zh-TW",
    };

    // A PIN is 4 to 20 characters of 0-9 and A-Z (upper case), standing alone.
    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9A-Z]{4,20}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    /// <summary>
    /// Spells out the PIN: every stand-alone run of 4 to 20 upper-case letters and digits that
    /// holds a digit, or, when there is none, every such run of letters (an ALPHA PIN). The text
    /// ends with a full stop so that a repetition starts after a pause.
    /// </summary>
    public static string Spell(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        MatchCollection candidates = Candidate().Matches(text);
        bool anyWithDigit = candidates.Any(m => m.Value.Any(char.IsAsciiDigit));
        string spelled = Candidate().Replace(text, m =>
            anyWithDigit && !m.Value.Any(char.IsAsciiDigit) ? m.Value : string.Join(", ", m.Value.ToCharArray()));
        spelled = spelled.Trim();
        return spelled.Length > 0 && char.IsLetterOrDigit(spelled[^1]) ? spelled + "." : spelled;
    }

    /// <summary>The BCP-47 locale for an Infobip language (<c>pt_br</c> → <c>pt-BR</c>); an operator's map wins.</summary>
    public static string Locale(string? language, IReadOnlyDictionary<string, string> overrides, string fallback)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        if (string.IsNullOrWhiteSpace(language))
        {
            return fallback;
        }

        string key = language.Trim().Replace('-', '_');
        if (overrides.TryGetValue(key, out string? mapped) || overrides.TryGetValue(language.Trim(), out mapped))
        {
            return mapped;
        }

        return Locales.TryGetValue(key, out string? locale) ? locale : fallback;
    }

    /// <summary><c>speechRate</c> 0.5–2 as a prosody rate (<c>80%</c>); null when it is absent or 1.</summary>
    public static string? ProsodyRate(double? speechRate)
    {
        if (speechRate is not { } rate || double.IsNaN(rate) || Math.Abs(rate - 1) < 0.005)
        {
            return null;
        }

        double clamped = Math.Clamp(rate, 0.2, 2.0);
        return Math.Round(clamped * 100).ToString(CultureInfo.InvariantCulture) + "%";
    }

    /// <summary>Escapes text for an XML element (TwiML, SSML).</summary>
    public static string Xml(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}

/// <summary>How a <c>repeatDTMF</c> value such as <c>1#</c> is entered: the digits, and the key that ends them.</summary>
public sealed record RepeatKeys(string Digits, char? FinishKey)
{
    public static RepeatKeys? Parse(string? repeatDtmf)
    {
        if (string.IsNullOrWhiteSpace(repeatDtmf))
        {
            return null;
        }

        string value = repeatDtmf.Trim();
        if (!value.All(c => char.IsAsciiDigit(c) || c is '*' or '#') || value.Length > 20)
        {
            return null;
        }

        char? finish = value[^1] == '#' ? '#' : null;
        string digits = finish is null ? value : value[..^1];
        return digits.Length == 0 ? null : new RepeatKeys(digits, finish);
    }
}
