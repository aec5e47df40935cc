using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace OpenTfa.Contracts;

// Wire shapes of Infobip's 2FA API (/2fa/2/*). Request properties are nullable so that an
// omitted field can be told apart from a default; responses leave absent values out
// instead of sending null, because strict SDKs refuse null in non-nullable fields.

public sealed class ApplicationConfiguration
{
    public bool? AllowMultiplePinVerifications { get; set; }
    public int? PinAttempts { get; set; }
    public string? PinTimeToLive { get; set; }
    public string? SendPinPerApplicationLimit { get; set; }
    public string? SendPinPerPhoneNumberLimit { get; set; }
    public string? VerifyPinLimit { get; set; }
}

public sealed class ApplicationRequest
{
    public string? Name { get; set; }
    public bool? Enabled { get; set; }
    public ApplicationConfiguration? Configuration { get; set; }
}

public sealed class ApplicationResponse
{
    public required string ApplicationId { get; init; }
    public required string Name { get; init; }
    public required bool Enabled { get; init; }
    public required ApplicationConfiguration Configuration { get; init; }
}

public sealed class IndiaDltOptions
{
    public string? PrincipalEntityId { get; set; }
    public string? ContentTemplateId { get; set; }
    public string? TeleMarketerId { get; set; }
}

public sealed class RegionalOptions
{
    public IndiaDltOptions? IndiaDlt { get; set; }
}

/// <summary>Body of create and update of an SMS/voice template; on update every field is optional.</summary>
public sealed class MessageTemplateRequest
{
    public string? MessageText { get; set; }
    public string? PinType { get; set; }
    public int? PinLength { get; set; }
    public string? Language { get; set; }
    public string? SenderId { get; set; }
    [JsonPropertyName("repeatDTMF")]
    public string? RepeatDtmf { get; set; }
    public double? SpeechRate { get; set; }
    public string? VoiceName { get; set; }
    public RegionalOptions? Regional { get; set; }
}

/// <summary>Body of create and update of an e-mail template; on update every field is optional.</summary>
public sealed class EmailTemplateRequest
{
    public long? EmailTemplateId { get; set; }
    public string? From { get; set; }
    public string? PinType { get; set; }
    public int? PinLength { get; set; }
    public string? LandingPageId { get; set; }
}

/// <summary>A template as answered by the template operations (SMS/voice and e-mail flavours share it).</summary>
public sealed class MessageTemplateResponse
{
    public required string MessageId { get; init; }
    public required string ApplicationId { get; init; }
    public string? MessageText { get; init; }
    public string? PinPlaceholder { get; init; }
    public required int PinLength { get; init; }
    public required string PinType { get; init; }
    public string? Language { get; init; }
    public string? SenderId { get; init; }
    [JsonPropertyName("repeatDTMF")]
    public string? RepeatDtmf { get; init; }
    public double? SpeechRate { get; init; }
    public string? VoiceName { get; init; }
    public RegionalOptions? Regional { get; init; }
    public long? EmailTemplateId { get; init; }
    public string? From { get; init; }
    public string? LandingPageId { get; init; }
}

public sealed class StartAuthenticationRequest
{
    public string? ApplicationId { get; set; }
    public string? MessageId { get; set; }
    public string? To { get; set; }
    public string? From { get; set; }
    public Dictionary<string, string>? Placeholders { get; set; }
    public bool? TrackDelivery { get; set; }
    public Dictionary<string, string>? LandingPagePlaceholders { get; set; }
}

public sealed class ResendPinRequest
{
    public Dictionary<string, string>? Placeholders { get; set; }
    public bool? TrackDelivery { get; set; }
    public Dictionary<string, string>? LandingPagePlaceholders { get; set; }
}

public sealed class StartAuthenticationResponse
{
    public required string PinId { get; init; }
    public required string To { get; init; }
    public string? NcStatus { get; init; }
    public string? SmsStatus { get; init; }
    public string? CallStatus { get; init; }
}

public sealed class EmailStatus
{
    public required string Name { get; init; }
    public required string Description { get; init; }
}

public sealed class StartEmailAuthenticationResponse
{
    public required string PinId { get; init; }
    public required string To { get; init; }
    public required EmailStatus EmailStatus { get; init; }
}

public sealed class VerifyPinRequest
{
    public string? Pin { get; set; }
}

public sealed class VerifyPinResponse
{
    public required string PinId { get; init; }
    public required string Msisdn { get; init; }
    public required bool Verified { get; init; }
    public required int AttemptsRemaining { get; init; }
    public string? PinError { get; init; }
}

public sealed class Verification
{
    public required string Msisdn { get; init; }
    public required bool Verified { get; init; }
    public long? VerifiedAt { get; init; }
    public required long SentAt { get; init; }
}

public sealed class VerificationResponse
{
    public required IReadOnlyList<Verification> Verifications { get; init; }
}

[SuppressMessage("Naming", "CA1711", Justification = "Named after the serviceException member of the Infobip error envelope it carries.")]
public sealed class ServiceException
{
    public required string MessageId { get; init; }
    public required string Text { get; init; }
    public IDictionary<string, string[]>? ValidationErrors { get; init; }
}

public sealed class RequestError
{
    public required ServiceException ServiceException { get; init; }
}

/// <summary>The Infobip error envelope: <c>{"requestError":{"serviceException":{...}}}</c>.</summary>
public sealed class ApiErrorResponse
{
    public required RequestError RequestError { get; init; }
}
