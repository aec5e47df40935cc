using OpenTfa.Core.Security;

namespace OpenTfa.Core.Webhooks;

/// <summary>
/// One application's subscription to events: where to POST them, which ones, and the secret
/// that signs each POST (sealed at rest, with the webhook's id as associated data).
/// </summary>
public sealed record Webhook(
    string Id,
    string TenantId,
    string ApplicationId,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? Description,
    SealedSecret Secret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool Subscribes(string eventType) => Enabled && Events.Contains(eventType, StringComparer.Ordinal);
}

public enum WebhookDeliveryState
{
    /// <summary>Waiting for its first or next attempt.</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>Every attempt failed; no more will be made.</summary>
    Failed,
}

/// <summary>One event for one webhook. Retries of it carry the same <see cref="EventId"/> (for de-duplication) and body.</summary>
public sealed record WebhookDelivery(
    string Id,
    string WebhookId,
    string TenantId,
    string ApplicationId,
    string EventId,
    string EventType,
    string Payload,
    WebhookDeliveryState State,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int? LastStatus = null,
    string? LastError = null,
    DateTimeOffset? DeliveredAt = null);

/// <summary>A delivery leased for sending, with its webhook's URL and sealed secret.</summary>
public sealed record ClaimedWebhookDelivery(WebhookDelivery Delivery, string Url, SealedSecret Secret);

/// <summary>One POST of a delivery: when, the receiver's status (null when none came) or the error, and how long it took.</summary>
public sealed record WebhookAttempt(int Attempt, DateTimeOffset At, int? Status, string? Error, int DurationMs);

/// <summary>What one attempt did to its delivery; <see cref="NextAttemptAt"/> is set when it stays pending.</summary>
public sealed record WebhookAttemptOutcome(string DeliveryId, WebhookAttempt Attempt, WebhookDeliveryState State, DateTimeOffset? NextAttemptAt);

/// <summary>A delivery with its attempts, as the API shows it.</summary>
public sealed record WebhookDeliveryRecord(WebhookDelivery Delivery, IReadOnlyList<WebhookAttempt> Attempts);
