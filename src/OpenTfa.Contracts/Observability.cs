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
