using OpenTfa.Core.Pins;

namespace OpenTfa.Core.Templates;

public enum TemplateKind
{
    /// <summary>An SMS/voice template: a message text with <c>{{pin}}</c>.</summary>
    Text,

    /// <summary>An e-mail template: points at an e-mail body by <c>emailTemplateId</c>.</summary>
    Email,
}

public sealed record MessageTemplate(
    string Id,
    string TenantId,
    string ApplicationId,
    TemplateKind Kind,
    PinType PinType,
    int PinLength,
    string? MessageText,
    string? Language,
    string? SenderId,
    string? RepeatDtmf,
    double? SpeechRate,
    string? VoiceName,
    string? RegionalJson,
    long? EmailTemplateId,
    string? From,
    string? LandingPageId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
