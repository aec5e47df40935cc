using System.Text.Json.Serialization;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;

namespace OpenTfa.Core.Protection;

/// <summary>How a rule acts: <c>monitor</c> counts and logs what it would refuse and lets the send through; <c>enforce</c> refuses.</summary>
public static class RuleModes
{
    public const string Monitor = "monitor";
    public const string Enforce = "enforce";

    public static bool IsValid(string mode) => mode is Monitor or Enforce;
}

public sealed class ListRule
{
    public List<string> Allow { get; set; } = [];

    public List<string> Deny { get; set; } = [];

    public string Mode { get; set; } = RuleModes.Enforce;
}

public sealed class NumberTypeRule
{
    /// <summary>libphonenumber number types refused for SMS: FIXED_LINE, VOIP, PREMIUM_RATE, SHARED_COST, TOLL_FREE, UAN, PAGER, PERSONAL_NUMBER, VOICEMAIL.</summary>
    public List<string> Refuse { get; set; } = ["PREMIUM_RATE", "SHARED_COST"];

    public string Mode { get; set; } = RuleModes.Enforce;
}

public sealed class CapRule
{
    /// <summary>Sends per country in a sliding window (<c>n/Xu</c>); unset means no cap.</summary>
    public string? PerCountry { get; set; }

    /// <summary>Sends per number prefix (its first <see cref="PrefixDigits"/> digits) in a sliding window.</summary>
    public string? PerPrefix { get; set; }

    public int PrefixDigits { get; set; } = 6;

    public string Mode { get; set; } = RuleModes.Enforce;
}

/// <summary>
/// The automatic pumping guard: a prefix whose share of recent sends jumps far above its
/// baseline share while almost none of its PINs get verified is blocked for a cool-down.
/// </summary>
public sealed class GuardRule
{
    public bool Enabled { get; set; } = true;

    public string Mode { get; set; } = RuleModes.Monitor;

    public int PrefixDigits { get; set; } = 6;

    /// <summary>The recent window whose sends are judged.</summary>
    public string Window { get; set; } = "10m";

    /// <summary>The window before it that sets each prefix's normal share.</summary>
    public string BaselineWindow { get; set; } = "24h";

    /// <summary>A prefix needs at least this many recent sends before it can be flagged.</summary>
    public int MinimumSends { get; set; } = 20;

    /// <summary>Flag when the recent share is at least this many times the baseline share.</summary>
    public double JumpRatio { get; set; } = 5;

    /// <summary>... and when fewer than this fraction of the recent PINs were verified.</summary>
    public double ConversionFloor { get; set; } = 0.1;

    /// <summary>The smallest baseline share assumed, so that a prefix never seen before is judged against something.</summary>
    public double BaselineFloor { get; set; } = 0.01;

    public string CoolDown { get; set; } = "1h";
}

/// <summary>An application's (or a tenant's default) protection against SMS pumping and abuse.</summary>
public sealed class ProtectionPolicy
{
    public ListRule Countries { get; set; } = new();

    public ListRule Prefixes { get; set; } = new();

    public NumberTypeRule NumberTypes { get; set; } = new();

    public CapRule Caps { get; set; } = new();

    public GuardRule Guard { get; set; } = new();

    /// <summary>
    /// NIST SP 800-63B mode: PINs live at most 10 minutes, are single use, numeric with at
    /// least 6 digits, VoIP numbers are refused, and no test numbers are allowed. Settings are
    /// clamped rather than refused (SDKs always send every field); GET answers the effective values.
    /// </summary>
    public bool Nist { get; set; }

    /// <summary>Destinations that never leave OpenTfa and always take a fixed PIN (app-store reviewers, automated tests).</summary>
    public List<TestNumber> TestNumbers { get; set; } = [];

    public static readonly string[] KnownNumberTypes =
        ["FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL", "UNKNOWN"];

    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors();
        foreach ((string field, ListRule rule) in new[] { ("countries", Countries), ("prefixes", Prefixes) })
        {
            foreach (string value in rule.Allow.Concat(rule.Deny))
            {
                bool ok = field == "countries" ? value.Length == 2 && value.All(char.IsAsciiLetterUpper) : value.Length is >= 1 and <= 15 && value.All(char.IsAsciiDigit);
                if (!ok)
                {
                    errors.Add(field, field == "countries" ? $"'{value}' is not an ISO 3166 country code such as CH" : $"'{value}' is not a number prefix of 1 to 15 digits (international, without +)");
                }
            }
        }

        foreach (string type in NumberTypes.Refuse.Where(t => !KnownNumberTypes.Contains(t, StringComparer.Ordinal)))
        {
            errors.Add("numberTypes.refuse", $"'{type}' is not a number type: one of {string.Join(", ", KnownNumberTypes)}");
        }

        foreach ((string field, string mode) in new[] { ("countries.mode", Countries.Mode), ("prefixes.mode", Prefixes.Mode), ("numberTypes.mode", NumberTypes.Mode), ("caps.mode", Caps.Mode), ("guard.mode", Guard.Mode) })
        {
            if (!RuleModes.IsValid(mode))
            {
                errors.Add(field, $"'{mode}' is not a mode: monitor or enforce");
            }
        }

        if (Nist && TestNumbers.Count > 0)
        {
            errors.Add("testNumbers", "are refused in NIST mode: every PIN must be random");
        }

        foreach (TestNumber test in TestNumbers)
        {
            if (Numbers.Destinations.CanonicalPhone(test.Number ?? string.Empty) is null)
            {
                errors.Add("testNumbers.number", $"'{test.Number}' is not a phone number in international format");
            }

            if (!string.IsNullOrEmpty(test.Pin) && (test.Pin.Length > 20 || test.Pin.Length < 4 || !test.Pin.All(char.IsAsciiLetterOrDigit)))
            {
                errors.Add("testNumbers.pin", "must be 4 to 20 letters or digits");
            }

            if (test.ExpiresAt <= 0)
            {
                errors.Add("testNumbers.expiresAt", "is required (UNIX milliseconds): a test number must not live forever");
            }
        }

        CheckLimit(Caps.PerCountry, "caps.perCountry", errors);
        CheckLimit(Caps.PerPrefix, "caps.perPrefix", errors);
        CheckDigits(Caps.PrefixDigits, "caps.prefixDigits", errors);
        CheckDigits(Guard.PrefixDigits, "guard.prefixDigits", errors);
        CheckDuration(Guard.Window, "guard.window", errors);
        CheckDuration(Guard.BaselineWindow, "guard.baselineWindow", errors);
        CheckDuration(Guard.CoolDown, "guard.coolDown", errors);
        if (Guard.MinimumSends < 1)
        {
            errors.Add("guard.minimumSends", "must be at least 1");
        }

        if (Guard.JumpRatio < 1)
        {
            errors.Add("guard.jumpRatio", "must be at least 1");
        }

        if (Guard.ConversionFloor is < 0 or > 1 || Guard.BaselineFloor is <= 0 or > 1)
        {
            errors.Add("guard", "conversionFloor must be between 0 and 1, and baselineFloor above 0 and at most 1");
        }

        return errors;
    }

    private static void CheckLimit(string? value, string field, ValidationErrors errors)
    {
        if (value is not null && !RateLimit.TryParse(value, DurationFormat.OneYear, out _, out string error))
        {
            errors.Add(field, error);
        }
    }

    private static void CheckDuration(string value, string field, ValidationErrors errors)
    {
        if (!DurationFormat.TryParse(value, DurationFormat.OneYear, out _, out string error))
        {
            errors.Add(field, error);
        }
    }

    private static void CheckDigits(int digits, string field, ValidationErrors errors)
    {
        if (digits is < 1 or > 15)
        {
            errors.Add(field, "must be between 1 and 15");
        }
    }
}

/// <summary>A test number: sends to it never leave OpenTfa and always take its fixed PIN, until <see cref="ExpiresAt"/> (UNIX ms).</summary>
public sealed class TestNumber
{
    public string? Number { get; set; }

    /// <summary>
    /// The fixed PIN as a caller sets it. It is never stored or answered: at rest only
    /// <see cref="SealedPin"/> holds it. Omitted on a PUT, the PIN already set for the same number is kept.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Pin { get; set; }

    public long ExpiresAt { get; set; }

    /// <summary>The fixed PIN sealed like every stored PIN (<c>keyId:base64</c>); set by OpenTfa only, never answered.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SealedPin { get; set; }
}

/// <summary>A rule that refused (or, in monitor mode, would have refused) a send.</summary>
public sealed record RuleHit(string Rule, string Mode, string Text)
{
    public bool Enforced => Mode == RuleModes.Enforce;
}

/// <summary>One refused or flagged send, as the operator lists them.</summary>
public sealed record RuleEvent(long Id, string TenantId, string ApplicationId, string Rule, string Mode, string Country, string Prefix, DateTimeOffset At);

/// <summary>A prefix the guard blocked, until when, and why.</summary>
public sealed record GuardBlock(string TenantId, string ApplicationId, string Prefix, DateTimeOffset Since, DateTimeOffset Until, string Reason);

/// <summary>A destination's consecutive failed verifications, and when the last one was.</summary>
public sealed record VerifyFailures(string Destination, int Failures, DateTimeOffset LastFailureAt);

/// <summary>Sends and verifications of one prefix against all sends of the application.</summary>
public sealed record PrefixStats(int RecentSends, int RecentPrefixSends, int RecentPrefixVerified, int BaselineSends, int BaselinePrefixSends);
