using System.Text;
using System.Text.RegularExpressions;
using OpenTfa.Core.Errors;

namespace OpenTfa.Core.Templates;

public static partial class TextRendering
{
    public const string PinPlaceholder = "{{pin}}";

    [GeneratedRegex(@"\{\{([A-Za-z0-9_.\-]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public static IEnumerable<string> PlaceholderNames(string text) =>
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// A message text may span lines (CR, LF, tab) but carries no other control character:
    /// NUL cannot be stored, and the rest would reach handsets and mail clients unseen.
    /// </summary>
    public static bool HasForbiddenControl(string text) => text.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'));

    /// <summary>Checks caller-supplied placeholder values: no <c>pin</c>, a length cap, no control characters.</summary>
    public static void ValidatePlaceholders(IReadOnlyDictionary<string, string>? placeholders, int maxLength, ValidationErrors errors)
    {
        if (placeholders is null)
        {
            return;
        }

        foreach ((string name, string value) in placeholders)
        {
            string field = $"placeholders.{name}";
            if (string.Equals(name, "pin", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(field, "the PIN cannot be passed as a placeholder; OpenTfa generates it");
            }
            else if (value is null)
            {
                errors.Add(field, "must be a string");
            }
            else if (value.Length > maxLength)
            {
                errors.Add(field, $"must be at most {maxLength} characters");
            }
            else if (value.Any(char.IsControl))
            {
                errors.Add(field, "must not contain control characters");
            }
        }
    }

    /// <summary>Fills every <c>{{name}}</c>; a placeholder with no value is reported against <c>placeholders.name</c>.</summary>
    public static string? Render(string text, string pin, IReadOnlyDictionary<string, string>? placeholders, ValidationErrors errors)
    {
        bool complete = true;
        string rendered = Placeholder().Replace(text, m =>
        {
            string name = m.Groups[1].Value;
            if (name == "pin")
            {
                return pin;
            }

            if (placeholders is not null && placeholders.TryGetValue(name, out string? value) && value is not null)
            {
                return value;
            }

            complete = false;
            errors.Add($"placeholders.{name}", $"a value is required: the message text uses {{{{{name}}}}}");
            return m.Value;
        });
        return complete ? rendered : null;
    }
}

/// <summary>How many SMS segments a text takes: GSM 03.38 when it fits, UCS-2 otherwise.</summary>
public static class SmsSegments
{
    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string Extension = "\f^{}\\[~]|€";

    /// <summary>Segments as an SMSC client cuts them: an escape pair or a surrogate pair is never split.</summary>
    public static int Count(string text)
    {
        var sizes = new List<int>(text.Length);
        foreach (char c in text)
        {
            if (Basic.Contains(c, StringComparison.Ordinal))
            {
                sizes.Add(1);
            }
            else if (Extension.Contains(c, StringComparison.Ordinal))
            {
                sizes.Add(2);
            }
            else
            {
                return Ucs2(text);
            }
        }

        return Pack(sizes, 160, 153);
    }

    private static int Ucs2(string text)
    {
        var sizes = new List<int>(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            bool pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            sizes.Add(pair ? 2 : 1);
            i += pair ? 1 : 0;
        }

        return Pack(sizes, 70, 67);
    }

    /// <summary>Fills segments with indivisible units; one segment holds <paramref name="single"/>, each part of a longer text <paramref name="part"/>.</summary>
    private static int Pack(List<int> sizes, int single, int part)
    {
        if (sizes.Sum() <= single)
        {
            return 1;
        }

        int segments = 1;
        int used = 0;
        foreach (int size in sizes)
        {
            if (used + size > part)
            {
                segments++;
                used = 0;
            }

            used += size;
        }

        return segments;
    }

    public static bool ContainsLineBreak(string text) => text.AsSpan().IndexOfAny('\r', '\n') >= 0;

    public static string Describe(int segments) => segments == 1 ? "1 SMS segment" : new StringBuilder().Append(segments).Append(" SMS segments").ToString();
}
