using System.Globalization;

namespace OpenTfa.Core.Formats;

/// <summary>
/// A limit in the contract's <c>{attempts}/{timeLength}{timeUnit}</c> format: at most
/// <see cref="Count"/> accepted operations in any trailing window of <see cref="Window"/>.
/// </summary>
public readonly record struct RateLimit(int Count, TimeSpan Window)
{
    public static bool TryParse(string? text, TimeSpan maxWindow, out RateLimit limit, out string error)
    {
        limit = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "must not be empty";
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            error = $"'{text}' is not a valid limit: expected {{attempts}}/{{length}}{{unit}} (e.g. 3/1d)";
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0)
        {
            error = $"'{text}' must start with a positive whole number of attempts";
            return false;
        }

        if (!DurationFormat.TryParse(text[(slash + 1)..], maxWindow, out TimeSpan window, out string windowError))
        {
            error = $"'{text}' has an invalid window: {windowError}";
            return false;
        }

        limit = new RateLimit(count, window);
        error = string.Empty;
        return true;
    }

    public static RateLimit Parse(string text, TimeSpan maxWindow) =>
        TryParse(text, maxWindow, out RateLimit limit, out string error) ? limit : throw new FormatException(error);
}
