using Microsoft.Extensions.Options;
using OpenTfa.Core.Storage;

namespace OpenTfa.Server.Hosting;

/// <summary>Prunes expired PINs, old history and spent limit events on a schedule, in small batches.</summary>
internal sealed partial class RetentionService(IStoreMaintenance store, IOptions<OpenTfaOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        RetentionOptions retention = options.Value.Retention;
        var policy = new RetentionPolicy(retention.PinAfterExpiry, retention.History);
        using var timer = new PeriodicTimer(retention.Interval, time);
        do
        {
            try
            {
                PruneCounts counts;
                do
                {
                    counts = await store.PruneAsync(time.GetUtcNow(), policy, stoppingToken);
                    Log.Pruned(logger, counts.PinsSealed, counts.PinsDeleted, counts.Messages, counts.LimitEvents);
                }
                while (counts.PinsSealed + counts.PinsDeleted + counts.Messages + counts.LimitEvents > 0 && !stoppingToken.IsCancellationRequested);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.Failed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Retention: {Sealed} PINs erased, {Deleted} PINs and {Messages} messages deleted, {Events} limit events dropped")]
        public static partial void Pruned(ILogger logger, int @sealed, int deleted, int messages, int events);

        [LoggerMessage(2, LogLevel.Warning, "Retention run failed; it will run again at the next interval")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
