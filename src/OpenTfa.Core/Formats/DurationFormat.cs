using System.Globalization;

namespace OpenTfa.Core.Formats;

/// <summary>
/// The contract's time format <c>{timeLength}{timeUnit}</c>: the length is optional (1 when
/// omitted) and the unit is one of <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>.
/// </summary>
public static class DurationFormat
{
    public static readonly TimeSpan OneYear = TimeSpan.FromDays(365);

    public static bool TryParse(string? text, TimeSpan max, out TimeSpan value, out string error)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "must not be empty";
            return false;
        }

        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        string unit = text[digits..];
        long length = 1;
        if (digits > 0 && !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out length))
        {
            error = $"'{text}' has a length that is too large";
            return false;
        }

        TimeSpan perUnit;
        switch (unit)
        {
            case "ms": perUnit = TimeSpan.FromMilliseconds(1); break;
            case "s": perUnit = TimeSpan.FromSeconds(1); break;
            case "m": perUnit = TimeSpan.FromMinutes(1); break;
            case "h": perUnit = TimeSpan.FromHours(1); break;
            case "d": perUnit = TimeSpan.FromDays(1); break;
            default:
                error = $"'{text}' is not a valid time: expected {{length}}{{unit}} with unit ms, s, m, h or d (e.g. 10m)";
                return false;
        }

        if (length <= 0)
        {
            error = $"'{text}' must be a positive time";
            return false;
        }

        if (length > max.Ticks / perUnit.Ticks)
        {
            error = $"'{text}' must not exceed {Describe(max)}";
            return false;
        }

        value = TimeSpan.FromTicks(length * perUnit.Ticks);
        error = string.Empty;
        return true;
    }

    private static string Describe(TimeSpan max) => max == OneYear ? "one year" : max == TimeSpan.FromDays(1) ? "one day" : max.ToString();
}
