namespace OpenTfa.Core.Templates;

public static class Languages
{
    public const string Default = "en";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "en", "es", "ca", "da", "nl", "fr", "de", "it", "ja", "ko", "no", "pl", "ru", "sv", "fi", "hr", "sl", "ro",
        "pt_pt", "pt_br", "zh_cn", "zh_tw",
    };

    public static readonly string AllowedValues = string.Join(", ", Known.Order(StringComparer.Ordinal));

    /// <summary>Every language in the form OpenTfa answers it.</summary>
    public static IReadOnlyCollection<string> All => Known;

    /// <summary>Accepts <c>pt-br</c> and <c>pt_br</c> (any case); answers the underscore form.</summary>
    public static string? Normalize(string language)
    {
        string candidate = language.Trim().Replace('-', '_').ToLowerInvariant();
        return Known.Contains(candidate) ? candidate : null;
    }
}
