using OpenTfa.Core.Formats;

namespace OpenTfa.Core.Applications;

/// <summary>An application's PIN policy, kept as the strings the caller gave (they are echoed back).</summary>
public sealed record ApplicationSettings(
    bool AllowMultiplePinVerifications,
    int PinAttempts,
    string PinTimeToLive,
    string SendPinPerApplicationLimit,
    string SendPinPerPhoneNumberLimit,
    string VerifyPinLimit)
{
    public static readonly ApplicationSettings Defaults = new(true, 10, "15m", "10000/1d", "3/1d", "1/3s");

    public TimeSpan PinTtl => DurationFormat.TryParse(PinTimeToLive, DurationFormat.OneYear, out TimeSpan ttl, out _) ? ttl : throw new InvalidOperationException("stored pinTimeToLive is invalid");

    public RateLimit SendPerApplication => RateLimit.Parse(SendPinPerApplicationLimit, DurationFormat.OneYear);

    public RateLimit SendPerPhoneNumber => RateLimit.Parse(SendPinPerPhoneNumberLimit, DurationFormat.OneYear);

    public RateLimit VerifyPerPhoneNumber => RateLimit.Parse(VerifyPinLimit, TimeSpan.FromDays(1));
}

public sealed record Application(
    string Id,
    string TenantId,
    string Name,
    bool Enabled,
    ApplicationSettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    Workflows.Workflow? Workflow = null);
