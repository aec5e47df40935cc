using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTfa.Contracts;

/// <summary>Source-generated serializers for every wire shape, shared by the server and the client.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(ApplicationRequest))]
[JsonSerializable(typeof(WorkflowRequest))]
[JsonSerializable(typeof(WorkflowResponse))]
[JsonSerializable(typeof(ApplicationResponse))]
[JsonSerializable(typeof(List<ApplicationResponse>))]
[JsonSerializable(typeof(MessageTemplateRequest))]
[JsonSerializable(typeof(EmailTemplateRequest))]
[JsonSerializable(typeof(MessageTemplateResponse))]
[JsonSerializable(typeof(List<MessageTemplateResponse>))]
[JsonSerializable(typeof(StartAuthenticationRequest))]
[JsonSerializable(typeof(ResendPinRequest))]
[JsonSerializable(typeof(StartAuthenticationResponse))]
[JsonSerializable(typeof(StartEmailAuthenticationResponse))]
[JsonSerializable(typeof(VerifyPinRequest))]
[JsonSerializable(typeof(VerifyPinResponse))]
[JsonSerializable(typeof(VerificationResponse))]
[JsonSerializable(typeof(ApiErrorResponse))]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(TenantResponse))]
[JsonSerializable(typeof(List<TenantResponse>))]
[JsonSerializable(typeof(TenantSendersRequest))]
[JsonSerializable(typeof(TenantSendersResponse))]
[JsonSerializable(typeof(CreateApiKeyRequest))]
[JsonSerializable(typeof(ApiKeyResponse))]
[JsonSerializable(typeof(List<ApiKeyResponse>))]
[JsonSerializable(typeof(MessageStateResponse))]
[JsonSerializable(typeof(List<MessageStateResponse>))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(EmailBodyRequest))]
[JsonSerializable(typeof(EmailBodyResponse))]
[JsonSerializable(typeof(List<EmailBodyResponse>))]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(List<WebhookResponse>))]
[JsonSerializable(typeof(List<WebhookDeliveryResponse>))]
[JsonSerializable(typeof(List<AuditEntryResponse>))]
[JsonSerializable(typeof(AnalyticsResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(TimelineResponse))]
[JsonSerializable(typeof(PinResponse))]
[JsonSerializable(typeof(List<ChannelResponse>))]
[JsonSerializable(typeof(WhatsAppTemplateResponse))]
[JsonSerializable(typeof(ProtectionPolicy))]
[JsonSerializable(typeof(RuleEventsResponse))]
[JsonSerializable(typeof(List<GuardBlockResponse>))]
[JsonSerializable(typeof(List<LockoutResponse>))]
public sealed partial class OpenTfaJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context for writing: like <see cref="Default"/>, but leaves quotes and non-ASCII
    /// letters readable in texts instead of escaping them as '. Like <see cref="Default"/>, it
    /// refuses a key given twice, also in another letter case ("to" and "To").
    /// </summary>
    public static OpenTfaJsonContext Wire { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
