using System.Diagnostics.Metrics;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Gauges read at each scrape: the outbox and webhook queue (one cheap store query, shared by
/// the gauges of one scrape) and the health of every channel of this node.
/// </summary>
internal sealed partial class QueueGauges
{
    private static readonly TimeSpan SampleReuse = TimeSpan.FromSeconds(1);
    private readonly IAnalyticsStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueGauges> _logger;
    private readonly Lock _gate = new();
    private (QueueStats Stats, long Taken)? _last;

    public QueueGauges(OpenTfaMetrics metrics, IAnalyticsStore store, ChannelRouter router, ChannelBreakers breakers, ChannelActivity activity, TimeProvider time, ILogger<QueueGauges> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        Meter meter = metrics.Meter;
        meter.CreateObservableGauge("opentfa.outbox.depth", () => Sample()?.OutboxQueued ?? 0, "{message}", "Messages queued in the outbox, waiting for a (next) delivery attempt");
        meter.CreateObservableGauge("opentfa.outbox.oldest_age", () => Age(Sample()?.OldestQueuedAt), "s", "Age of the oldest queued message; 0 when none waits");
        meter.CreateObservableGauge("opentfa.webhooks.queue.depth", () => Sample()?.WebhooksPending ?? 0, "{delivery}", "Webhook deliveries waiting for a (next) attempt");
        meter.CreateObservableGauge("opentfa.webhooks.queue.oldest_age", () => Age(Sample()?.OldestWebhookAt), "s", "Age of the oldest pending webhook delivery; 0 when none waits");
        meter.CreateObservableGauge("opentfa.channel.up", () => router.Channels.Select(c => new Measurement<int>(
            IsUp(c) && !breakers.IsOpen(c.Name) ? 1 : 0, new KeyValuePair<string, object?>("channel_name", c.Name))),
            description: "1 when the channel is ready (connected and bound, for SMPP) and its circuit is closed");
        meter.CreateObservableGauge("opentfa.channel.circuit_open", () => router.Channels.Select(c => new Measurement<int>(
            breakers.IsOpen(c.Name) ? 1 : 0, new KeyValuePair<string, object?>("channel_name", c.Name))),
            description: "1 while the channel is skipped after repeated temporary failures");
        meter.CreateObservableGauge("opentfa.channel.last_error.time", () => router.Channels.Select(c => new Measurement<double>(
            activity.LastError(c.Name) is { } error ? error.At.ToUnixTimeMilliseconds() / 1000.0 : 0, new KeyValuePair<string, object?>("channel_name", c.Name))),
            "s", "When the channel's last send attempt failed (UNIX time); 0 when none has since the process started");
    }

    private static bool IsUp(IMessageChannel channel) =>
        channel is not IChannelStatus status || status.GetStatus().State is "BOUND" or "READY";

    private double Age(DateTimeOffset? oldest) => oldest is { } at ? Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds) : 0;

    /// <summary>The queue figures, read at most once a second; null (no measurement) when the store does not answer.</summary>
    private QueueStats? Sample()
    {
        lock (_gate)
        {
            if (_last is { } last && TimeProvider.System.GetElapsedTime(last.Taken) < SampleReuse)
            {
                return last.Stats;
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                QueueStats stats = _store.GetQueueStatsAsync(timeout.Token).GetAwaiter().GetResult();
                _last = (stats, TimeProvider.System.GetTimestamp());
                return stats;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.SampleFailed(_logger, ex);
                return null;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read the queue depths for the metrics")]
        public static partial void SampleFailed(ILogger logger, Exception exception);
    }
}
