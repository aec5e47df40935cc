using System.Text.Json;

namespace OpenTfa.Contracts;

// OpenTfa's own surface (/opentfa/v1/*): webhooks and their deliveries, the audit trail,
// analytics and the support history. Times are UNIX milliseconds.

public sealed class WebhookRequest
{
    public string? Url { get; set; }

    public List<string>? Events { get; set; }

    public bool? Enabled { get; set; }

    public string? Description { get; set; }
}

public sealed class WebhookResponse
{
    public required string WebhookId { get; init; }

    public required string ApplicationId { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public required bool Enabled { get; init; }

    public string? Description { get; init; }

    public required long CreatedAt { get; init; }

    public required long UpdatedAt { get; init; }

    /// <summary>Only in the answer that makes the secret (create, rotate).</summary>
    public string? Secret { get; init; }
}

public sealed class WebhookAttemptResponse
{
    public required int Attempt { get; init; }

    public required long At { get; init; }

    public int? Status { get; init; }

    public string? Error { get; init; }

    public required int DurationMs { get; init; }
}

public sealed class WebhookDeliveryResponse
{
    public required string DeliveryId { get; init; }

    public required string EventId { get; init; }

    public required string EventType { get; init; }

    /// <summary>PENDING, DELIVERED or FAILED.</summary>
    public required string State { get; init; }

    public required int Attempts { get; init; }

    public required long CreatedAt { get; init; }

    public long? NextAttemptAt { get; init; }

    public long? DeliveredAt { get; init; }

    public int? LastStatus { get; init; }

    public string? LastError { get; init; }

    public required JsonElement Payload { get; init; }

    public required IReadOnlyList<WebhookAttemptResponse> AttemptLog { get; init; }
}

public sealed class AuditEntryResponse
{
    public required long Id { get; init; }

    public required long At { get; init; }

    public required string TenantId { get; init; }

    public required string ActorTenantId { get; init; }

    public required string ActorKeyId { get; init; }

    public required string Action { get; init; }

    public required string TargetType { get; init; }

    public string? TargetId { get; init; }

    public string? Details { get; init; }
}

public sealed class FiguresResponse
{
    public required int Sent { get; init; }

    public required int NotSent { get; init; }

    public required int Verified { get; init; }

    public double? Conversion { get; init; }

    public required int Delivered { get; init; }

    public required int Failed { get; init; }

    public double? DeliveryRate { get; init; }

    public double? MedianDeliverySeconds { get; init; }

    public double? MedianVerificationSeconds { get; init; }
}

public sealed class GroupResponse
{
    public required string Key { get; init; }

    public required FiguresResponse Figures { get; init; }
}

public sealed class AnalyticsResponse
{
    public required long From { get; init; }

    public required long To { get; init; }

    public required FiguresResponse Totals { get; init; }

    public required IReadOnlyList<GroupResponse> ByApplication { get; init; }

    public required IReadOnlyList<GroupResponse> ByChannel { get; init; }

    public required IReadOnlyList<GroupResponse> ByCountry { get; init; }

    /// <summary>Workflow PINs per step, keyed <c>step:channel</c> (<c>1:whatsapp</c>, <c>2:sms</c>): sent = PINs that reached the step, verified = PINs verified after it and before any later step.</summary>
    public required IReadOnlyList<GroupResponse> ByStep { get; init; }

    public required bool Truncated { get; init; }
}

public sealed class HistoryMessageResponse
{
    public required string MessageId { get; init; }

    public required string Channel { get; init; }

    public required string State { get; init; }

    public required string To { get; init; }

    public required int Attempts { get; init; }

    public required long CreatedAt { get; init; }

    public long? DeliveredAt { get; init; }

    public string? ChannelName { get; init; }

    public string? Error { get; init; }
}

public sealed class HistoryEntryResponse
{
    public required string PinId { get; init; }

    public required string Channel { get; init; }

    public required string Destination { get; init; }

    /// <summary>VERIFIED, NOT_SENT, EXHAUSTED, EXPIRED or PENDING.</summary>
    public required string Status { get; init; }

    public required long SentAt { get; init; }

    public required long ExpiresAt { get; init; }

    public long? VerifiedAt { get; init; }

    public required int AttemptsRemaining { get; init; }

    public required IReadOnlyList<HistoryMessageResponse> Messages { get; init; }
}

public sealed class HistoryResponse
{
    public required bool Masked { get; init; }

    public required IReadOnlyList<HistoryEntryResponse> Pins { get; init; }
}

/// <summary>Figures per step of a window (<c>GET /opentfa/v1/analytics/timeline</c>).</summary>
public sealed class TimelineResponse
{
    /// <summary><c>hour</c> (by minute), <c>day</c> (by hour) or <c>month</c> (30 days by UTC day).</summary>
    public required string Range { get; init; }

    public required long From { get; init; }

    public required long To { get; init; }

    public required int StepSeconds { get; init; }

    public required IReadOnlyList<TimelineBucketResponse> Buckets { get; init; }

    /// <summary>The window's protection rule events, newest first (at most 200).</summary>
    public required IReadOnlyList<TimelineRuleEventResponse> Protection { get; init; }

    public required bool Truncated { get; init; }
}

public sealed class TimelineBucketResponse
{
    public required long Start { get; init; }

    public required int Sent { get; init; }

    public required int NotSent { get; init; }

    public required int Verified { get; init; }

    public double? Conversion { get; init; }

    public required int Delivered { get; init; }

    public required int Failed { get; init; }

    public double? DeliveryRate { get; init; }

    /// <summary>Protection rule events in this step (refusals and guard blocks, in either mode).</summary>
    public required int Blocked { get; init; }

    public required IReadOnlyList<TimelineChannelResponse> ByChannel { get; init; }
}

public sealed class TimelineChannelResponse
{
    public required string Key { get; init; }

    public required int Sent { get; init; }

    public required int Verified { get; init; }

    public required int Delivered { get; init; }
}

public sealed class TimelineRuleEventResponse
{
    public required long At { get; init; }

    public required string ApplicationId { get; init; }

    public required string Rule { get; init; }

    public required string Mode { get; init; }

    public required string Country { get; init; }

    public required string Prefix { get; init; }
}

/// <summary>One PIN, its messages and every verify (<c>GET /opentfa/v1/pins/{pinId}</c>).</summary>
public sealed class PinResponse
{
    public required string PinId { get; init; }

    public required string ApplicationId { get; init; }

    public required string MessageId { get; init; }

    public required string Channel { get; init; }

    /// <summary>The destination, masked unless <c>unmasked=true</c>.</summary>
    public required string To { get; init; }

    /// <summary><c>PENDING</c>, <c>VERIFIED</c>, <c>EXPIRED</c>, <c>EXHAUSTED</c> or <c>NOT_SENT</c>.</summary>
    public required string Status { get; init; }

    public required bool Sent { get; init; }

    public required long CreatedAt { get; init; }

    public required long ExpiresAt { get; init; }

    public long? VerifiedAt { get; init; }

    public required int AttemptsRemaining { get; init; }

    /// <summary>The PIN's workflow, when its application had one as it was sent.</summary>
    public PinWorkflowResponse? Workflow { get; init; }

    public required IReadOnlyList<MessageStateResponse> Messages { get; init; }

    public required IReadOnlyList<VerificationAttemptResponse> Verifications { get; init; }
}

public sealed class VerificationAttemptResponse
{
    public required long At { get; init; }

    /// <summary><c>VERIFIED</c>, <c>WRONG_PIN</c>, <c>TTL_EXPIRED</c> or <c>NO_MORE_PIN_ATTEMPTS</c>.</summary>
    public required string Outcome { get; init; }
}

/// <summary>Where a PIN is in its workflow.</summary>
public sealed class PinWorkflowResponse
{
    public required IReadOnlyList<WorkflowStepBody> Steps { get; init; }

    public required bool NewPinPerStep { get; init; }

    /// <summary>How many steps have run or been skipped, the first (the send itself) included.</summary>
    public required int StepsRun { get; init; }

    /// <summary>When the next step is due (UNIX milliseconds); absent when the workflow is complete or stopped.</summary>
    public long? NextStepAt { get; init; }
}
