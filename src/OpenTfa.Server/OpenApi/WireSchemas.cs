using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Templates;

namespace OpenTfa.Server.OpenApi;

/// <summary>
/// The values of fields that OpenTfa writes from a fixed set (states, statuses, kinds, modes),
/// as enums, so that a client generated from the document knows them all. The contracts keep
/// them as strings, as the vendor's own clients read them.
/// </summary>
internal static class WireSchemas
{
    private static readonly string[] Kinds = [.. Enum.GetValues<ChannelKind>().Select(ChannelKinds.Name)];
    private static readonly string[] MessageStates = ["QUEUED", "SUBMITTED", "DELIVERED", "FAILED"];
    private static readonly string[] Modes = ["monitor", "enforce"];
    private static readonly string[] PinStatuses = ["VERIFIED", "NOT_SENT", "EXHAUSTED", "EXPIRED", "PENDING"];
    private static readonly string[] Sent = ["PENDING_ACCEPTED", "REJECTED"];

    private static readonly Dictionary<(Type Type, string Property), string[]> Values = new()
    {
        [(typeof(MessageTemplateResponse), "pinType")] = ["NUMERIC", "ALPHA", "HEX", "ALPHANUMERIC"],
        [(typeof(MessageTemplateResponse), "language")] = [.. Languages.All.Order(StringComparer.Ordinal)],
        [(typeof(StartAuthenticationResponse), "ncStatus")] = ["NC_DESTINATION_UNKNOWN", "NC_DESTINATION_REACHABLE", "NC_DESTINATION_NOT_REACHABLE", "NC_NOT_CONFIGURED"],
        [(typeof(StartAuthenticationResponse), "smsStatus")] = ["MESSAGE_SENT", "MESSAGE_NOT_SENT"],
        [(typeof(StartAuthenticationResponse), "callStatus")] = Sent,
        [(typeof(EmailStatus), "name")] = Sent,
        [(typeof(VerifyPinResponse), "pinError")] = ["WRONG_PIN", "TTL_EXPIRED", "NO_MORE_PIN_ATTEMPTS"],
        [(typeof(MessageStateResponse), "channel")] = Kinds,
        [(typeof(MessageStateResponse), "state")] = MessageStates,
        [(typeof(HistoryMessageResponse), "channel")] = Kinds,
        [(typeof(HistoryMessageResponse), "state")] = MessageStates,
        [(typeof(HistoryEntryResponse), "channel")] = Kinds,
        [(typeof(HistoryEntryResponse), "status")] = PinStatuses,
        [(typeof(TimelineResponse), "range")] = ["hour", "day", "month"],
        [(typeof(TimelineChannelResponse), "key")] = Kinds,
        [(typeof(TimelineRuleEventResponse), "mode")] = Modes,
        [(typeof(PinResponse), "channel")] = Kinds,
        [(typeof(PinResponse), "status")] = PinStatuses,
        [(typeof(VerificationAttemptResponse), "outcome")] = ["VERIFIED", "WRONG_PIN", "TTL_EXPIRED", "NO_MORE_PIN_ATTEMPTS"],
        [(typeof(WebhookDeliveryResponse), "state")] = ["PENDING", "DELIVERED", "FAILED"],
        [(typeof(ChannelResponse), "state")] = ["BOUND", "CONNECTING", "STOPPING", "STOPPED", "READY", "MISSING"],
        [(typeof(ChannelResponse), "kinds")] = Kinds,
        [(typeof(ChannelCircuitResponse), "state")] = ["CLOSED", "OPEN", "HALF_OPEN"],
        [(typeof(HealthResponse), "status")] = ["live", "ready", "unavailable"],
        [(typeof(ApiKeyResponse), "scopes")] = [.. Scopes.All],
        [(typeof(ProtectionListRule), "mode")] = Modes,
        [(typeof(ProtectionNumberTypeRule), "mode")] = Modes,
        [(typeof(ProtectionCapRule), "mode")] = Modes,
        [(typeof(ProtectionGuardRule), "mode")] = Modes,
        [(typeof(RuleCount), "mode")] = Modes,
        [(typeof(RuleEventResponse), "mode")] = Modes,
    };

    public static Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property && Values.TryGetValue((property.DeclaringType, property.Name), out string[]? values))
        {
            OpenApiSchema target = schema.Items as OpenApiSchema ?? schema;
            target.Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))];
        }

        return Task.CompletedTask;
    }
}
