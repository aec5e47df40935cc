using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Core.Storage;

// Store roles for webhooks, the audit trail and analytics. Like the other roles, every method
// is one atomic step and takes a required CancellationToken last.

public interface IWebhookStore
{
    Task CreateWebhookAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<Webhook?> GetWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken);

    /// <summary>The application's webhooks, oldest first.</summary>
    Task<IReadOnlyList<Webhook>> ListWebhooksAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    /// <summary>Replaces the webhook's URL, events, state, description and secret; false when it is not the tenant's.</summary>
    Task<bool> UpdateWebhookAsync(Webhook webhook, CancellationToken cancellationToken);

    /// <summary>Deletes the webhook with its deliveries and their attempts.</summary>
    Task<bool> DeleteWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken);

    /// <summary>Stores new deliveries (state Pending) in one transaction.</summary>
    Task EnqueueWebhookDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="max"/> due pending deliveries of enabled webhooks to
    /// <paramref name="owner"/> until <c>now + lease</c>, with the URL and secret to send them with.
    /// </summary>
    Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimDueWebhookDeliveriesAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records one attempt and the delivery's new state, if <paramref name="owner"/> still holds
    /// its lease; true when it did.
    /// </summary>
    Task<bool> RecordWebhookAttemptAsync(string owner, WebhookAttemptOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The webhook's deliveries, newest first, with their attempts.</summary>
    Task<IReadOnlyList<WebhookDeliveryRecord>> ListWebhookDeliveriesAsync(string tenantId, string webhookId, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes finished (delivered or failed) deliveries created before <paramref name="before"/>, in a small batch; returns how many.</summary>
    Task<int> PruneWebhookDeliveriesAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>The append-only audit trail: entries are added and read, never changed or deleted.</summary>
public interface IAuditStore
{
    /// <summary>Appends the entry and answers it with the id the store gave it (increasing).</summary>
    Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Entries newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken);
}

/// <summary>Reads for analytics, support history and gauges, and the expiry announcements.</summary>
public interface IAnalyticsStore
{
    /// <summary>One row per PIN created in [From, To), with what became of its messages.</summary>
    Task<IReadOnlyList<PinFacts>> ListPinFactsAsync(PinFactsQuery query, CancellationToken cancellationToken);

    /// <summary>PINs sent to one destination by one application, newest first, pruned ones included.</summary>
    Task<IReadOnlyList<PinHistoryEntry>> ListDestinationHistoryAsync(string tenantId, string applicationId, string destination, int limit, CancellationToken cancellationToken);

    /// <summary>One PIN of the tenant with its application, template and verify log; null when unknown or another tenant's.</summary>
    Task<PinStoryFacts?> GetPinStoryAsync(string tenantId, string pinId, CancellationToken cancellationToken);

    /// <summary>How much waits in the outbox and the webhook queue; cheap enough for every scrape.</summary>
    Task<QueueStats> GetQueueStatsAsync(CancellationToken cancellationToken);

    /// <summary>A message with its application, by its id.</summary>
    Task<MessageFacts?> GetMessageFactsAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>The messages a channel knows by <paramref name="channelMessageId"/>, with their applications.</summary>
    Task<IReadOnlyList<MessageFacts>> FindMessageFactsAsync(string channelName, string channelMessageId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks up to <paramref name="max"/> PINs whose TTL ended at or before <paramref name="now"/>
    /// as announced, once each across every node, and returns those of them that expired
    /// unused: sent, never verified and with attempts left.
    /// </summary>
    Task<IReadOnlyList<ExpiredPin>> ClaimExpiredPinsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}

public sealed record PinFactsQuery(string TenantId, string? ApplicationId, DateTimeOffset From, DateTimeOffset To, int Limit);

/// <summary>One workflow step's message as analytics sees it.</summary>
public sealed record StepFact(int Step, ChannelKind Kind, MessageState State, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt)
{
    /// <summary>
    /// Reads the list a store aggregates per PIN: <c>step:kind:state:createdMs:deliveredMs</c>
    /// entries joined by commas, kinds and states by number or by name, the delivery time empty when none.
    /// </summary>
    public static IReadOnlyList<StepFact>? ParseList(string? list) => list is null ? null :
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(entry =>
        {
            string[] f = entry.Split(':');
            return new StepFact(int.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture), Enum.Parse<ChannelKind>(f[1]), Enum.Parse<MessageState>(f[2]),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture)),
                f[4].Length == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture)));
        })];
}

/// <summary>
/// A PIN as analytics sees it. <see cref="FirstDeliveredAt"/> is the earliest delivery report of
/// any of its messages; <see cref="Steps"/> its workflow steps' messages, null outside a workflow.
/// </summary>
public sealed record PinFacts(
    string PinId,
    string ApplicationId,
    ChannelKind Kind,
    string Destination,
    DateTimeOffset CreatedAt,
    bool Sent,
    DateTimeOffset? VerifiedAt,
    DateTimeOffset? FirstDeliveredAt,
    int Messages,
    int MessagesDelivered,
    int MessagesFailed,
    IReadOnlyList<StepFact>? Steps = null);

public sealed record PinHistoryEntry(
    string PinId,
    ChannelKind Kind,
    string Destination,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    bool Sent,
    DateTimeOffset? VerifiedAt,
    int AttemptsRemaining,
    bool Consumed,
    bool Pruned);

/// <param name="VerifyLog">Each verify of the PIN, as <see cref="Pins.VerifyLog"/> writes it.</param>
public sealed record PinStoryFacts(PinHistoryEntry Pin, string ApplicationId, string TemplateId, string? VerifyLog);

public sealed record QueueStats(int OutboxQueued, DateTimeOffset? OldestQueuedAt, int WebhooksPending, DateTimeOffset? OldestWebhookAt);

public sealed record MessageFacts(MessageStatus Status, string ApplicationId);

public sealed record ExpiredPin(string PinId, string TenantId, string ApplicationId, ChannelKind Kind, string Destination, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
