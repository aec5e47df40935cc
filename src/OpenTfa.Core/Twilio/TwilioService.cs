namespace OpenTfa.Core.Twilio;

/// <summary>
/// What a Twilio Verify service holds beyond its application: the settings Twilio's API names,
/// and the two OpenTfa templates its verifications are sent with (one for SMS and calls, one for
/// e-mail). The friendly name is the application's name; the code lifetime is its PIN time to live.
/// Every application is a service; one never touched through the Twilio surface has the defaults.
/// </summary>
public sealed record TwilioServiceSettings(
    int CodeLength = TwilioServiceSettings.DefaultCodeLength,
    bool LookupEnabled = false,
    bool SkipSmsToLandlines = false,
    bool DtmfInputRequired = true,
    string? TtsName = null,
    bool Psd2Enabled = false,
    bool DoNotShareWarningEnabled = false,
    bool CustomCodeEnabled = false,
    string? DefaultTemplateSid = null,
    string? TextTemplateId = null,
    string? EmailTemplateId = null)
{
    public const int DefaultCodeLength = 6;
    public const int MinCodeLength = 4;
    public const int MaxCodeLength = 10;

    public static TwilioServiceSettings Defaults { get; } = new();
}

/// <summary>
/// A rate limit of a service (<see cref="ParentId"/> null: a unique name and a description) or one
/// of its buckets (<see cref="ParentId"/> is the rate limit: at most <see cref="Max"/> verifications
/// per key in any <see cref="IntervalSeconds"/>).
/// </summary>
public sealed record TwilioRateLimit(
    string Id,
    string TenantId,
    string ApplicationId,
    string? ParentId,
    string? UniqueName,
    string? Description,
    int Max,
    int IntervalSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsBucket => ParentId is not null;
}
