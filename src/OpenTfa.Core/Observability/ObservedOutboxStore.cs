using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Observability;

/// <summary>
/// The outbox as every caller sees it (the dispatcher, channels that record receipts, callback
/// endpoints): each state change is passed to the store, then counted and, for deliveries and
/// failures, published as <c>message.delivered</c> / <c>message.failed</c>. Reading the changed
/// message back costs one lookup by key per change. Delivery reports are also counted per
/// channel in <see cref="ChannelActivity"/>.
/// </summary>
public sealed class ObservedOutboxStore(IOutboxStore inner, IAnalyticsStore facts, IEventSink events, OpenTfaMetrics metrics, TimeProvider time, ChannelActivity activity) : IOutboxStore
{
    public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        inner.ClaimDueAsync(owner, now, lease, max, cancellationToken);

    public async Task MarkSubmittedAsync(string messageId, string owner, string channelName, string? channelMessageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await inner.MarkSubmittedAsync(messageId, owner, channelName, channelMessageId, now, cancellationToken);
        if (await facts.GetMessageFactsAsync(messageId, CancellationToken.None) is { } message && message.Status.ChannelName == channelName)
        {
            metrics.Message(message, "submitted");
            // A receipt that overtook the channel's answer was applied by the submission itself.
            if (message.Status.State is MessageState.Delivered or MessageState.Failed)
            {
                activity.Reported(channelName, message.Status.State);
                await ReportAsync(message, CancellationToken.None);
            }
        }
    }

    public async Task MarkRetryAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await inner.MarkRetryAsync(messageId, owner, channelName, error, nextAttemptAt, now, cancellationToken);
        if (await facts.GetMessageFactsAsync(messageId, CancellationToken.None) is { } message)
        {
            metrics.Message(message, "retried");
        }
    }

    public async Task MarkFailedAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await inner.MarkFailedAsync(messageId, owner, channelName, error, now, cancellationToken);
        if (await facts.GetMessageFactsAsync(messageId, CancellationToken.None) is { Status.State: MessageState.Failed } message)
        {
            await ReportAsync(message, CancellationToken.None);
        }
    }

    public async Task<bool> RecordDeliveryAsync(string channelName, string channelMessageId, MessageState state, string? error, DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool matched = await inner.RecordDeliveryAsync(channelName, channelMessageId, state, error, reportedAt, now, cancellationToken);
        if (matched)
        {
            activity.Reported(channelName, state);
            foreach (MessageFacts message in await facts.FindMessageFactsAsync(channelName, channelMessageId, CancellationToken.None))
            {
                await ReportAsync(message, CancellationToken.None);
            }
        }

        return matched;
    }

    public Task ReleaseAsync(string owner, CancellationToken cancellationToken) => inner.ReleaseAsync(owner, cancellationToken);

    public Task<IReadOnlyList<MessageStatus>> ListMessagesAsync(string tenantId, string pinId, CancellationToken cancellationToken) =>
        inner.ListMessagesAsync(tenantId, pinId, cancellationToken);

    public Task<MessageStatus?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken) =>
        inner.GetMessageAsync(tenantId, messageId, cancellationToken);

    private Task ReportAsync(MessageFacts message, CancellationToken cancellationToken)
    {
        MessageStatus status = message.Status;
        bool delivered = status.State == MessageState.Delivered;
        metrics.Message(message, delivered ? "delivered" : "failed");
        if (delivered && status.DeliveredAt is { } deliveredAt)
        {
            metrics.DeliveredAfter(message, deliveredAt - status.CreatedAt);
        }

        EventData data = EventData.ForPin(status.PinId, status.Kind, status.To) with
        {
            MessageId = status.Id,
            Step = status.Step,
            ChannelName = status.ChannelName,
            // Webhooks go to the tenant: the error without the operator's gateway addresses.
            Error = delivered ? null : TenantDeliveryError.From(status.Error),
            CreatedAt = status.CreatedAt.ToUnixTimeMilliseconds(),
            DeliveredAt = status.DeliveredAt?.ToUnixTimeMilliseconds(),
        };
        return events.PublishAsync(
            new OpenTfaEvent(delivered ? EventTypes.MessageDelivered : EventTypes.MessageFailed, status.TenantId, message.ApplicationId, time.GetUtcNow(), data),
            cancellationToken);
    }
}
