using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// Delivers the outbox: claims due messages under a lease, hands each to its route's
/// channels, and records the answer. A temporary failure is retried with exponential
/// back-off until the PIN expires (the last attempt <see cref="DeliveryOptions.RetryInitialDelay"/>
/// before it); a permanent one fails the message at once. A message whose PIN expired before
/// its attempt (a node that was down, an outage of the store) fails without being sent.
/// </summary>
public sealed partial class OutboxDispatcher : BackgroundService
{
    private const string ExpiredError = "not delivered before the PIN expired";

    private readonly IOutboxStore _store;
    private readonly ChannelRouter _router;
    private readonly SecretProtector _protector;
    private readonly OutboxSignal _signal;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxDispatcher> _logger;
    private readonly ChannelBreakers _breakers;
    private readonly ChannelActivity _activity;
    private readonly SemaphoreSlim _slots;

    public OutboxDispatcher(IOutboxStore store, ChannelRouter router, SecretProtector protector, OutboxSignal signal, ChannelBreakers breakers, ChannelActivity activity, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<OutboxDispatcher> logger)
    {
        _breakers = breakers;
        _activity = activity;
        _slots = new SemaphoreSlim(options.Value.Parallelism, options.Value.Parallelism);
        _store = store;
        _router = router;
        _protector = protector;
        _signal = signal;
        _options = options.Value;
        _time = time;
        _logger = logger;
        NodeId = _options.NodeId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
    }

    public string NodeId { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int handled = 0;
            try
            {
                handled = await DispatchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.DispatchLoopFailed(_logger, ex);
                await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
            }

            if (handled == 0)
            {
                try
                {
                    if (await _signal.WaitAsync(_options.PollInterval, stoppingToken) && _options.ClaimDelay > TimeSpan.Zero)
                    {
                        // Wall-clock batching, not business time: it must not wait on a test's fake clock.
                        await Task.Delay(_options.ClaimDelay, stoppingToken);
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await DrainAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the leases below are handed back all the same.
        }

        try
        {
            await _store.ReleaseAsync(NodeId, cancellationToken);
        }
        catch (Exception ex)
        {
            Log.ReleaseFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Claims as many due messages as there are free delivery slots and starts delivering
    /// them; returns how many it claimed. A slow channel holds only its own slots, so the
    /// other messages (e-mail, voice, other routes) keep flowing.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        _slots.Release();
        int free = Math.Min(_slots.CurrentCount, _options.BatchSize);
        IReadOnlyList<OutboxMessage> batch = await _store.ClaimDueAsync(NodeId, _time.GetUtcNow(), _options.Lease, free, cancellationToken);
        foreach (OutboxMessage message in batch)
        {
            await _slots.WaitAsync(cancellationToken);
            _ = Task.Run(async () =>
            {
                try
                {
                    await DeliverAsync(message, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.DispatchLoopFailed(_logger, ex);
                }
                finally
                {
                    _slots.Release();
                }
            }, CancellationToken.None);
        }

        return batch.Count;
    }

    /// <summary>Waits until every started delivery has finished (on shutdown, before leases are handed back).</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        for (int taken = 0; taken < _options.Parallelism; taken++)
        {
            await _slots.WaitAsync(cancellationToken);
        }

        _slots.Release(_options.Parallelism);
    }

    private async ValueTask DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartDelivery(message.Id, message.PinId, message.TraceParent);
        DateTimeOffset claimedAt = _time.GetUtcNow();
        if (claimedAt >= message.ExpiresAt)
        {
            await _store.MarkFailedAsync(message.Id, NodeId, null, ExpiredError, claimedAt, CancellationToken.None);
            Log.Failed(_logger, message.Id, "-", ExpiredError);
            return;
        }

        MessageContent content = JsonSerializer.Deserialize(_protector.Open(message.Id, message.Body), CoreJsonContext.Default.MessageContent)!;
        var outgoing = new OutgoingMessage(message.Id, message.PinId, message.Kind, message.To, message.From, content, message.Attempts + 1, message.ExpiresAt);
        (IMessageChannel? channel, DeliveryResult result) = content.TestNumber
            ? (Protection.TestNumberChannel.Instance, DeliveryResult.Accepted("test-number"))
            : await SendAlongRouteAsync(outgoing, _router.Route(message.Kind, message.ApplicationId), cancellationToken);

        if (cancellationToken.IsCancellationRequested && result.Outcome != DeliveryOutcome.Accepted)
        {
            // The node is stopping: no attempt is charged; the lease is handed back on stop
            // so that another node takes the message at once.
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        switch (result.Outcome)
        {
            case DeliveryOutcome.Accepted:
                await _store.MarkSubmittedAsync(message.Id, NodeId, channel!.Name, result.ChannelMessageId, now, CancellationToken.None);
                Log.Submitted(_logger, message.Id, message.Kind, Destinations.Mask(message.To), channel.Name);
                break;
            case DeliveryOutcome.TemporaryFailure:
                // The back-off never carries a retry past the PIN's expiry: the last attempt is
                // made shortly before it, so that retries go on for as long as the PIN is good.
                DateTimeOffset lastAttempt = message.ExpiresAt - _options.RetryInitialDelay;
                DateTimeOffset next = now + Backoff(outgoing.Attempt);
                if (next > lastAttempt)
                {
                    next = lastAttempt;
                }

                if (next > now)
                {
                    await _store.MarkRetryAsync(message.Id, NodeId, channel?.Name, result.Error ?? "temporary failure", next, now, CancellationToken.None);
                    Log.Retrying(_logger, message.Id, channel?.Name ?? "-", outgoing.Attempt, result.Error);
                }
                else
                {
                    string error = $"{ExpiredError}; last error: {result.Error}";
                    await _store.MarkFailedAsync(message.Id, NodeId, channel?.Name, error, now, CancellationToken.None);
                    Log.Failed(_logger, message.Id, channel?.Name ?? "-", error);
                }

                break;
            default:
                await _store.MarkFailedAsync(message.Id, NodeId, channel?.Name, result.Error ?? "refused by the channel", now, CancellationToken.None);
                Log.Failed(_logger, message.Id, channel?.Name ?? "-", result.Error);
                break;
        }
    }

    /// <summary>
    /// Tries the route's channels in order, skipping those whose circuit is open; a temporary
    /// failure of a channel moves on to the next one (logged, with the reason), an acceptance,
    /// a permanent refusal or a failure about the recipient ends the attempt. A channel that
    /// accepted the message is never asked again.
    /// </summary>
    private async Task<(IMessageChannel? Channel, DeliveryResult Result)> SendAlongRouteAsync(OutgoingMessage outgoing, IReadOnlyList<IMessageChannel> route, CancellationToken cancellationToken)
    {
        IMessageChannel? last = null;
        var errors = new List<string>();
        for (int i = 0; i < route.Count; i++)
        {
            IMessageChannel channel = route[i];
            if (!_breakers.TryEnter(channel.Name))
            {
                errors.Add($"{channel.Name}: skipped, its circuit is open after repeated failures");
                Log.Skipped(_logger, outgoing.Id, channel.Name);
                continue;
            }

            last = channel;
            DeliveryResult result = await SendOnceAsync(channel, outgoing, cancellationToken);
            if (cancellationToken.IsCancellationRequested && result.Outcome != DeliveryOutcome.Accepted)
            {
                // The node is stopping: the answer says nothing about the channel.
                return (channel, result);
            }

            Record(channel, outgoing, result);
            if (result.Outcome == DeliveryOutcome.TemporaryFailure)
            {
                errors.Add($"{channel.Name}: {result.Error}");
                if (result.RecipientOnly)
                {
                    // Another channel would meet the same mailbox: the message waits for its retry.
                    return (channel, result with { Error = string.Join("; ", errors) });
                }

                if (i + 1 < route.Count)
                {
                    // The last channel's failure is logged with the retry that follows it.
                    Log.FailingOver(_logger, outgoing.Id, outgoing.Kind, channel.Name, Redact(result.Error, outgoing.To), route[i + 1].Name);
                }

                continue;
            }

            if (result.Outcome == DeliveryOutcome.PermanentFailure)
            {
                // Named after its channel, like a temporary failure, after the channels tried before it.
                errors.Add($"{channel.Name}: {result.Error ?? "refused by the channel"}");
                result = result with { Error = string.Join("; ", errors) };
            }

            return (channel, result);
        }

        // An empty route is a message queued before a restart removed its kind's channel: it
        // waits, as for an outage, in case the channel comes back before the PIN expires.
        return (last, DeliveryResult.Temporary(route.Count == 0 ? $"no {outgoing.Kind} channel is configured" : string.Join("; ", errors)));
    }

    /// <summary>Counts the attempt and moves the channel's circuit: only a temporary failure of the channel itself counts against it.</summary>
    private void Record(IMessageChannel channel, OutgoingMessage outgoing, DeliveryResult result)
    {
        string? error = Redact(result.Error, outgoing.To);
        _activity.Attempted(channel.Name, outgoing.Kind, outgoing.Id, result with { Error = error });
        if (result.Outcome == DeliveryOutcome.TemporaryFailure && !result.RecipientOnly)
        {
            if (_breakers.Failed(channel.Name))
            {
                Log.CircuitOpened(_logger, channel.Name, error, _options.BreakerOpenDuration);
            }
        }
        else if (_breakers.Succeeded(channel.Name))
        {
            Log.CircuitClosed(_logger, channel.Name);
        }
    }

    /// <summary>A channel's error text with the destination masked (relays often quote the recipient's address).</summary>
    private static string? Redact(string? error, string to) =>
        error?.Replace(to, Destinations.Mask(to), StringComparison.OrdinalIgnoreCase);

    private async Task<DeliveryResult> SendOnceAsync(IMessageChannel channel, OutgoingMessage outgoing, CancellationToken cancellationToken)
    {
        try
        {
            using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartChannelSend(channel.Name, ChannelKinds.Name(outgoing.Kind), outgoing.Attempt);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.SendTimeout);
            DeliveryResult result = await channel.SendAsync(outgoing, timeout.Token);
            activity?.SetTag("opentfa.outcome", result.Outcome.ToString());
            return result;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryResult.Temporary($"no answer from the channel within {_options.SendTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DeliveryResult.Temporary($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        double factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        TimeSpan delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryInitialDelay.Ticks * factor, _options.RetryMaxDelay.Ticks));
        return delay;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Message {MessageId} ({Kind} to {Destination}) accepted by channel {Channel}")]
        public static partial void Submitted(ILogger logger, string messageId, ChannelKind kind, string destination, string channel);

        [LoggerMessage(2, LogLevel.Warning, "Message {MessageId}: channel {Channel} failed attempt {Attempt} ({Error}); will retry")]
        public static partial void Retrying(ILogger logger, string messageId, string channel, int attempt, string? error);

        [LoggerMessage(3, LogLevel.Error, "Message {MessageId} failed on channel {Channel}: {Error}")]
        public static partial void Failed(ILogger logger, string messageId, string channel, string? error);

        [LoggerMessage(4, LogLevel.Error, "The outbox dispatcher failed; retrying")]
        public static partial void DispatchLoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Warning, "Could not hand back this node's outbox leases on shutdown")]
        public static partial void ReleaseFailed(ILogger logger, Exception exception);

        [LoggerMessage(6, LogLevel.Warning, "Message {MessageId} ({Kind}): channel {Channel} failed for now ({Error}); trying {Next}")]
        public static partial void FailingOver(ILogger logger, string messageId, ChannelKind kind, string channel, string? error, string next);

        // Every message skips an open circuit: the opening itself is the warning.
        [LoggerMessage(7, LogLevel.Debug, "Message {MessageId}: channel {Channel} skipped, its circuit is open")]
        public static partial void Skipped(ILogger logger, string messageId, string channel);

        [LoggerMessage(8, LogLevel.Warning, "Channel {Channel}: circuit opened after repeated temporary failures (last: {Error}); its routes skip it for {OpenFor} before one message probes it again")]
        public static partial void CircuitOpened(ILogger logger, string channel, string? error, TimeSpan openFor);

        [LoggerMessage(9, LogLevel.Information, "Channel {Channel}: circuit closed, the channel answers again")]
        public static partial void CircuitClosed(ILogger logger, string channel);
    }
}
