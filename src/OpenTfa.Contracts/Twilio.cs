using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTfa.Contracts.Twilio;

// Wire shapes of Twilio's Verify v2 API (/v2/*): snake_case JSON, every documented field
// present (null when it has no value, as Twilio sends it), dates as ISO 8601 in UTC.

public sealed class ServiceResource
{
    public required string Sid { get; init; }
    public required string AccountSid { get; init; }
    public required string FriendlyName { get; init; }
    public required int CodeLength { get; init; }
    public required bool LookupEnabled { get; init; }
    public required bool Psd2Enabled { get; init; }
    public required bool SkipSmsToLandlines { get; init; }
    public required bool DtmfInputRequired { get; init; }
    public string? TtsName { get; init; }
    public required bool DoNotShareWarningEnabled { get; init; }
    public required bool CustomCodeEnabled { get; init; }
    public required Dictionary<string, object?> Push { get; init; }
    public required Dictionary<string, object?> Totp { get; init; }
    public string? DefaultTemplateSid { get; init; }
    public required Dictionary<string, object?> Whatsapp { get; init; }
    public required bool VerifyEventSubscriptionEnabled { get; init; }
    public required string DateCreated { get; init; }
    public required string DateUpdated { get; init; }
    public required string Url { get; init; }
    public required Dictionary<string, string> Links { get; init; }
}

public sealed class SendCodeAttempt
{
    public required string AttemptSid { get; init; }
    public required string Channel { get; init; }
    public required string Time { get; init; }
}

public sealed class VerificationResource
{
    public required string Sid { get; init; }
    public required string ServiceSid { get; init; }
    public required string AccountSid { get; init; }
    public required string To { get; init; }
    public required string Channel { get; init; }
    public required string Status { get; init; }
    public required bool Valid { get; init; }
    public required Dictionary<string, object?> Lookup { get; init; }
    public string? Amount { get; init; }
    public string? Payee { get; init; }
    public required List<SendCodeAttempt> SendCodeAttempts { get; init; }
    public required string DateCreated { get; init; }
    public required string DateUpdated { get; init; }
    public object? Sna { get; init; }
    public required string Url { get; init; }
}

public sealed class VerificationCheckResource
{
    public required string Sid { get; init; }
    public required string ServiceSid { get; init; }
    public required string AccountSid { get; init; }
    public required string To { get; init; }
    public required string Channel { get; init; }
    public required string Status { get; init; }
    public required bool Valid { get; init; }
    public string? Amount { get; init; }
    public string? Payee { get; init; }
    public required string DateCreated { get; init; }
    public required string DateUpdated { get; init; }
    public object? SnaAttemptsErrorCodes { get; init; }
}

public sealed class RateLimitResource
{
    public required string Sid { get; init; }
    public required string ServiceSid { get; init; }
    public required string AccountSid { get; init; }
    public required string UniqueName { get; init; }
    public string? Description { get; init; }
    public required string DateCreated { get; init; }
    public required string DateUpdated { get; init; }
    public required string Url { get; init; }
    public required Dictionary<string, string> Links { get; init; }
}

public sealed class BucketResource
{
    public required string Sid { get; init; }
    public required string RateLimitSid { get; init; }
    public required string ServiceSid { get; init; }
    public required string AccountSid { get; init; }
    public required int Max { get; init; }
    public required int Interval { get; init; }
    public required string DateCreated { get; init; }
    public required string DateUpdated { get; init; }
    public required string Url { get; init; }
}

/// <summary>A list page's <c>meta</c>: where this page is and how to reach the next; <see cref="Key"/> names the list's property.</summary>
public sealed class PageMeta
{
    public required int Page { get; init; }
    public required int PageSize { get; init; }
    public required string FirstPageUrl { get; init; }
    public string? PreviousPageUrl { get; init; }
    public required string Url { get; init; }
    public string? NextPageUrl { get; init; }
    public required string Key { get; init; }
}

public sealed class ServicePage
{
    public required List<ServiceResource> Services { get; init; }
    public required PageMeta Meta { get; init; }
}

public sealed class RateLimitPage
{
    public required List<RateLimitResource> RateLimits { get; init; }
    public required PageMeta Meta { get; init; }
}

public sealed class BucketPage
{
    public required List<BucketResource> Buckets { get; init; }
    public required PageMeta Meta { get; init; }
}

public sealed class ErrorResource
{
    public required int Code { get; init; }
    public required string Message { get; init; }
    public required string MoreInfo { get; init; }
    public required int Status { get; init; }
}

/// <summary>Source-generated serializers for the Twilio surface: snake_case, nulls written.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ServiceResource))]
[JsonSerializable(typeof(ServicePage))]
[JsonSerializable(typeof(VerificationResource))]
[JsonSerializable(typeof(VerificationCheckResource))]
[JsonSerializable(typeof(RateLimitResource))]
[JsonSerializable(typeof(RateLimitPage))]
[JsonSerializable(typeof(BucketResource))]
[JsonSerializable(typeof(BucketPage))]
[JsonSerializable(typeof(ErrorResource))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(object[]))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
public sealed partial class TwilioJsonContext : JsonSerializerContext
{
    /// <summary>The context the server writes with: <c>+</c> and <c>&amp;</c> as they are (<c>"+41…"</c>, page URLs), as Twilio writes them.</summary>
    public static TwilioJsonContext Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
