using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Smpp.Receipts;

/// <summary>
/// The fields of a receipt's text (SMPP 3.4 appendix B):
/// <c>id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text: …</c>.
/// Every field is optional. The text: field is not kept: it repeats the start of the message.
/// </summary>
public sealed partial class DeliveryReceiptText
{
    public string? Id { get; init; }

    public int? Submitted { get; init; }

    public int? Delivered { get; init; }

    /// <summary>As the SMSC wrote it, in the SMSC's own clock and time zone.</summary>
    public DateTime? SubmitDate { get; init; }

    /// <summary>As the SMSC wrote it, in the SMSC's own clock and time zone.</summary>
    public DateTime? DoneDate { get; init; }

    /// <summary>Whether <see cref="DoneDate"/> has seconds (12 digits) rather than whole minutes (10).</summary>
    public bool DoneDateHasSeconds { get; init; }

    public string? Stat { get; init; }

    public string? Err { get; init; }

    /// <summary>
    /// Parses the fields by their keys, in any order and any case; a key may have spaces before
    /// its colon, and "submit_date" is read like "submit date". Dates take 10 or 12 digits
    /// (seconds optional). Null when the text has neither an id: nor a stat: field.
    /// </summary>
    public static DeliveryReceiptText? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var matches = KeyPattern().Matches(text);
        for (var i = 0; i < matches.Count; i++)
        {
            var key = NormalizeKey(matches[i].Groups["key"].Value);
            if (key == "text")
            {
                break;
            }

            var valueStart = matches[i].Index + matches[i].Length;
            var valueEnd = i + 1 < matches.Count ? matches[i + 1].Index : text.Length;
            fields.TryAdd(key, text[valueStart..valueEnd].Trim());
        }

        if (!fields.ContainsKey("id") && !fields.ContainsKey("stat"))
        {
            return null;
        }

        return new DeliveryReceiptText
        {
            Id = NullIfEmpty(fields.GetValueOrDefault("id")),
            Submitted = ParseCount(fields.GetValueOrDefault("sub")),
            Delivered = ParseCount(fields.GetValueOrDefault("dlvrd")),
            SubmitDate = ParseDate(fields.GetValueOrDefault("submit date")),
            DoneDate = ParseDate(fields.GetValueOrDefault("done date")),
            DoneDateHasSeconds = fields.GetValueOrDefault("done date") is { Length: 12 } && ParseDate(fields["done date"]) is not null,
            Stat = NullIfEmpty(fields.GetValueOrDefault("stat")),
            Err = NullIfEmpty(fields.GetValueOrDefault("err")),
        };
    }

    [GeneratedRegex(@"(?<![A-Za-z_])(?<key>id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    private static string NormalizeKey(string key) => key.ToLowerInvariant().Replace('_', ' ');

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? ParseCount(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    private static DateTime? ParseDate(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        string[] formats = ["yyMMddHHmm", "yyMMddHHmmss"];
        return DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
    }
}
