using System.Collections.Concurrent;
using OpenTfa.Core.Observability;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// What each channel of this node did since the process started, whatever its type: the
/// dispatcher counts every send attempt by its outcome and keeps the last failed one, the outbox
/// counts the delivery reports it matched. Send attempts are also counted in metrics.
/// </summary>
public sealed class ChannelActivity(TimeProvider time, OpenTfaMetrics metrics)
{
    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>When the counters started.</summary>
    public DateTimeOffset Since { get; } = time.GetUtcNow();

    /// <summary>One send attempt and the channel's answer; a failed one becomes the channel's last error.</summary>
    public void Attempted(string channel, ChannelKind kind, string messageId, DeliveryResult result)
    {
        Tally tally = Get(channel);
        string outcome;
        switch (result.Outcome)
        {
            case DeliveryOutcome.Accepted:
                Interlocked.Increment(ref tally.Submitted);
                outcome = "submitted";
                break;
            case DeliveryOutcome.TemporaryFailure:
                Interlocked.Increment(ref tally.Retried);
                outcome = "retried";
                break;
            default:
                Interlocked.Increment(ref tally.Failed);
                outcome = "failed";
                break;
        }

        if (result.Outcome != DeliveryOutcome.Accepted)
        {
            tally.LastError = new ChannelError(time.GetUtcNow(), result.Error ?? outcome, null, messageId);
        }

        metrics.ChannelSend(channel, kind, outcome);
    }

    /// <summary>A delivery report the outbox matched to a message of the channel.</summary>
    public void Reported(string channel, MessageState state)
    {
        Tally tally = Get(channel);
        Interlocked.Increment(ref state == MessageState.Delivered ? ref tally.Delivered : ref tally.Undelivered);
    }

    public ChannelCounters Counters(string channel)
    {
        Tally tally = Get(channel);
        return new ChannelCounters(
            Interlocked.Read(ref tally.Submitted),
            Interlocked.Read(ref tally.Failed),
            Interlocked.Read(ref tally.Retried),
            Interlocked.Read(ref tally.Delivered),
            Interlocked.Read(ref tally.Undelivered));
    }

    /// <summary>The channel's most recent failed send attempt, kept after recovery.</summary>
    public ChannelError? LastError(string channel) => Get(channel).LastError;

    private Tally Get(string channel) => _tallies.GetOrAdd(channel, _ => new Tally());

    private sealed class Tally
    {
        public long Submitted;
        public long Failed;
        public long Retried;
        public long Delivered;
        public long Undelivered;
        public volatile ChannelError? LastError;
    }
}

/// <param name="Submitted">Send attempts the channel accepted.</param>
/// <param name="Failed">Send attempts it refused for good.</param>
/// <param name="Retried">Send attempts that failed for now: the route moved on, or the message went back to the outbox.</param>
/// <param name="Delivered">Delivery reports that said delivered.</param>
/// <param name="Undelivered">Delivery reports that said not delivered (UNDELIV, EXPIRED, …).</param>
public sealed record ChannelCounters(long Submitted, long Failed, long Retried, long Delivered, long Undelivered);
