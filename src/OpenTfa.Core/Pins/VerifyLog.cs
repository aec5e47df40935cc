using System.Globalization;

namespace OpenTfa.Core.Pins;

/// <summary>One verify of a PIN: when, and what it answered (<c>VERIFIED</c> or the PIN error's wire name).</summary>
public sealed record VerifyAttempt(DateTimeOffset At, string Outcome);

/// <summary>
/// Each verify of a PIN, kept on the PIN's own row and written by the same atomic store step
/// that counts the attempt, so the record and the count never disagree and go when the PIN is
/// pruned. Compact text (<c>&lt;unix ms&gt;:&lt;letter&gt;;</c> per verify) capped at
/// <see cref="MaxLength"/> characters: a PIN hammered past its attempts keeps its first few
/// hundred entries, which tell the story.
/// </summary>
public static class VerifyLog
{
    public const int MaxLength = 4000;

    public static string Entry(DateTimeOffset at, VerifyDecision decision) =>
        string.Create(CultureInfo.InvariantCulture, $"{at.ToUnixTimeMilliseconds()}:{Letter(decision)};");

    public static IReadOnlyList<VerifyAttempt> Parse(string? log)
    {
        if (string.IsNullOrEmpty(log))
        {
            return [];
        }

        var attempts = new List<VerifyAttempt>();
        foreach (string entry in log.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(entry.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out long ms) && colon + 1 < entry.Length)
            {
                attempts.Add(new VerifyAttempt(DateTimeOffset.FromUnixTimeMilliseconds(ms), Outcome(entry[colon + 1])));
            }
        }

        return attempts;
    }

    private static char Letter(VerifyDecision decision) => decision.Verified ? 'V' : decision.Error switch
    {
        PinError.WrongPin => 'W',
        PinError.TtlExpired => 'E',
        _ => 'N',
    };

    private static string Outcome(char letter) => letter switch
    {
        'V' => "VERIFIED",
        'W' => PinRules.ToWire(PinError.WrongPin),
        'E' => PinRules.ToWire(PinError.TtlExpired),
        _ => PinRules.ToWire(PinError.NoMorePinAttempts),
    };
}
