using OpenTfa.Core.Formats;

namespace OpenTfa.Core.Storage;

/// <summary>One sliding-window limit to check and, when every check passes, to count.</summary>
public sealed record LimitCheck(string Key, RateLimit Limit, string Setting, string Text);

public static class LimitKeys
{
    public static LimitCheck SendPerApplication(string applicationId, RateLimit limit, string text) =>
        new($"send:{applicationId}", limit, "sendPinPerApplicationLimit", text);

    public static LimitCheck SendPerDestination(string applicationId, string destination, RateLimit limit, string text) =>
        new($"send:{applicationId}:{destination}", limit, "sendPinPerPhoneNumberLimit", text);

    public static LimitCheck VerifyPerDestination(string applicationId, string destination, RateLimit limit, string text) =>
        new($"verify:{applicationId}:{destination}", limit, "verifyPinLimit", text);

    /// <summary>
    /// When the window next admits one more operation. <paramref name="timesInWindow"/> holds
    /// the accepted operations still inside the window, oldest first.
    /// </summary>
    public static TimeSpan RetryAfter(RateLimit limit, IReadOnlyList<DateTimeOffset> timesInWindow, DateTimeOffset now)
    {
        int mustExpire = timesInWindow.Count - limit.Count;
        DateTimeOffset frees = timesInWindow[mustExpire] + limit.Window;
        TimeSpan wait = frees - now;
        return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds));
    }
}

/// <summary>The limit that refused an operation, and when to try again.</summary>
public sealed record LimitRefusal(LimitCheck Check, TimeSpan RetryAfter);
