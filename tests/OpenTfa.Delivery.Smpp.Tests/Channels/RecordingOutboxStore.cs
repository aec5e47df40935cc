using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Delivery.Smpp.Tests.Channels;

/// <summary>Records the delivery states the channel reports; the channel uses no other outbox operation.</summary>
public sealed class RecordingOutboxStore : IOutboxStore
{
    public ConcurrentQueue<RecordedDelivery> Deliveries { get; } = new();

    /// <summary>The way in for reports that a channel is given, recording into this outbox.</summary>
    public DeliveryReports Reports() => new(this, TimeProvider.System, NullLogger<DeliveryReports>.Instance);

    /// <summary>Registers a fresh recording outbox and the reports service over it, as the host does.</summary>
    public static void Register(IServiceCollection services) =>
        services.AddSingleton(new RecordingOutboxStore().Reports());

    public Task<bool> RecordDeliveryAsync(string channelName, string channelMessageId, MessageState state, string? error, DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Deliveries.Enqueue(new RecordedDelivery(channelName, channelMessageId, state, error, reportedAt));
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task MarkSubmittedAsync(string messageId, string owner, string channelName, string? channelMessageId, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task MarkRetryAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task MarkFailedAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task ReleaseAsync(string owner, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<MessageStatus>> ListMessagesAsync(string tenantId, string pinId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<MessageStatus?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken) => throw new NotSupportedException();
}

public sealed record RecordedDelivery(string Channel, string ChannelMessageId, MessageState State, string? Error, DateTimeOffset At);
