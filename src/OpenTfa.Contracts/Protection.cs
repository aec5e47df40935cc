using System.Text.Json.Serialization;

namespace OpenTfa.Contracts;

// OpenTfa's own surface: protection against SMS pumping and abuse (/opentfa/v1/protection and
// /opentfa/v1/applications/{appId}/protection/*). A policy is sent and answered whole; in a
// request an omitted field takes its default, in an answer every field is present. A field the
// policy does not know is refused, so that a misspelt rule is never silently ignored.

/// <summary>An application's (or the tenant's default) protection policy.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionPolicy
{
    /// <summary>Allow and deny lists of ISO 3166 country codes (CH).</summary>
    public ProtectionListRule? Countries { get; set; }

    /// <summary>Allow and deny lists of number prefixes (international digits, no +).</summary>
    public ProtectionListRule? Prefixes { get; set; }

    /// <summary>Number types refused for SMS (default PREMIUM_RATE and SHARED_COST).</summary>
    public ProtectionNumberTypeRule? NumberTypes { get; set; }

    /// <summary>Sends per country and per prefix in a sliding window.</summary>
    public ProtectionCapRule? Caps { get; set; }

    /// <summary>The automatic pumping guard.</summary>
    public ProtectionGuardRule? Guard { get; set; }

    /// <summary>NIST SP 800-63B mode: a destination locks after repeated failed verifications, and test numbers are refused.</summary>
    public bool? Nist { get; set; }

    /// <summary>Numbers whose sends never leave OpenTfa and always take a fixed PIN, until they expire.</summary>
    public IReadOnlyList<ProtectionTestNumber>? TestNumbers { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionListRule
{
    public IReadOnlyList<string>? Allow { get; set; }

    public IReadOnlyList<string>? Deny { get; set; }

    /// <summary><c>monitor</c> (count and let through) or <c>enforce</c> (refuse; the default).</summary>
    public string? Mode { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionNumberTypeRule
{
    /// <summary>libphonenumber number types: FIXED_LINE, MOBILE, FIXED_LINE_OR_MOBILE, TOLL_FREE, PREMIUM_RATE, SHARED_COST, VOIP, PERSONAL_NUMBER, PAGER, UAN, VOICEMAIL, UNKNOWN.</summary>
    public IReadOnlyList<string>? Refuse { get; set; }

    public string? Mode { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionCapRule
{
    /// <summary>Sends per country in a sliding window (<c>n/Xu</c>, e.g. <c>100/1h</c>); absent means no cap.</summary>
    public string? PerCountry { get; set; }

    /// <summary>Sends per number prefix (its first <see cref="PrefixDigits"/> digits) in a sliding window.</summary>
    public string? PerPrefix { get; set; }

    public int? PrefixDigits { get; set; }

    public string? Mode { get; set; }
}

/// <summary>
/// The pumping guard: a prefix whose share of recent sends jumps far above its baseline share
/// while almost none of its PINs get verified is blocked for a cool-down.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionGuardRule
{
    public bool? Enabled { get; set; }

    /// <summary><c>monitor</c> (the default) or <c>enforce</c>.</summary>
    public string? Mode { get; set; }

    public int? PrefixDigits { get; set; }

    /// <summary>The recent window whose sends are judged (default <c>10m</c>).</summary>
    public string? Window { get; set; }

    /// <summary>The window before it that sets each prefix's normal share (default <c>24h</c>).</summary>
    public string? BaselineWindow { get; set; }

    /// <summary>Recent sends a prefix needs before it can be flagged (default 20).</summary>
    public int? MinimumSends { get; set; }

    /// <summary>Flag when the recent share is at least this many times the baseline share (default 5).</summary>
    public double? JumpRatio { get; set; }

    /// <summary>... and fewer than this fraction of the recent PINs were verified (default 0.1).</summary>
    public double? ConversionFloor { get; set; }

    /// <summary>The smallest baseline share assumed (default 0.01).</summary>
    public double? BaselineFloor { get; set; }

    /// <summary>How long a flagged prefix stays blocked (default <c>1h</c>).</summary>
    public string? CoolDown { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ProtectionTestNumber
{
    /// <summary>The number; masked in answers unless asked for in full with the PII scope.</summary>
    public string? Number { get; set; }

    /// <summary>The fixed PIN (4 to 20 letters or digits). Write-only: never answered; omitted on a PUT, the PIN already set for the number is kept.</summary>
    public string? Pin { get; set; }

    /// <summary>When the test number stops working (UNIX milliseconds); required.</summary>
    public long? ExpiresAt { get; set; }
}

/// <summary>What the rules refused or flagged: counts per rule and mode, and the events themselves.</summary>
public sealed class RuleEventsResponse
{
    public required IReadOnlyList<RuleCount> Counts { get; init; }

    public required IReadOnlyList<RuleEventResponse> Events { get; init; }
}

public sealed class RuleCount
{
    public required string Rule { get; init; }

    public required string Mode { get; init; }

    public required int Count { get; init; }
}

public sealed class RuleEventResponse
{
    public required string Rule { get; init; }

    public required string Mode { get; init; }

    public required string Country { get; init; }

    public required string Prefix { get; init; }

    public required long At { get; init; }
}

/// <summary>A prefix the pumping guard blocked, since and until when (UNIX milliseconds), and why.</summary>
public sealed class GuardBlockResponse
{
    public required string Prefix { get; init; }

    public required long Since { get; init; }

    public required long Until { get; init; }

    public required string Reason { get; init; }
}

/// <summary>A destination's consecutive failed verifications under NIST mode.</summary>
public sealed class LockoutResponse
{
    public required string Destination { get; init; }

    public required int Failures { get; init; }

    public required bool Locked { get; init; }

    public required long LastFailureAt { get; init; }
}
