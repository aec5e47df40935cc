using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Webhooks;

/// <summary>
/// Delivers queued webhook events at least once: claims due deliveries under a lease, POSTs
/// each signed with its webhook's secret, and records the attempt. A 2xx answer delivers;
/// anything else (a redirect included: they are not followed) is retried with exponential
/// back-off until <see cref="WebhookOptions.MaxAttempts"/>. The same loop announces expired
/// PINs (<c>pin.expired</c>) and prunes old deliveries.
/// </summary>
public sealed partial class WebhookDispatcher : BackgroundService
{
    public const string EventIdHeader = "OpenTfa-Event-Id";
    public const string EventTypeHeader = "OpenTfa-Event-Type";
    public const string DeliveryIdHeader = "OpenTfa-Delivery-Id";
    public const string AttemptHeader = "OpenTfa-Delivery-Attempt";

    private const int ExpiryBatch = 500;
    private readonly IWebhookStore _store;
    private readonly IAnalyticsStore _analytics;
    private readonly IEventSink _events;
    private readonly OpenTfaMetrics _metrics;
    private readonly SecretProtector _protector;
    private readonly WebhookSignal _signal;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly HttpClient _http;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    public WebhookDispatcher(IWebhookStore store, IAnalyticsStore analytics, IEventSink events, OpenTfaMetrics metrics, SecretProtector protector,
        WebhookSignal signal, WebhookUrlPolicy urls, WebhookOptions options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _store = store;
        _analytics = analytics;
        _events = events;
        _metrics = metrics;
        _protector = protector;
        _signal = signal;
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(urls.CreateHandler(options.Timeout)) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("OpenTfa-Webhooks/1");
        NodeId = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
    }

    public string NodeId { get; }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int handled = 0;
            try
            {
                await SweepAsync(stoppingToken);
                handled = await DispatchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(_logger, ex);
            }

            if (handled < _options.BatchSize)
            {
                try
                {
                    await _signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Announces expired PINs and prunes old deliveries, at most once per <see cref="WebhookOptions.ExpirySweepInterval"/>.</summary>
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (now - _lastSweep < _options.ExpirySweepInterval && now >= _lastSweep)
        {
            return;
        }

        _lastSweep = now;
        IReadOnlyList<ExpiredPin> expired;
        int rounds = 0;
        do
        {
            expired = await _analytics.ClaimExpiredPinsAsync(now, ExpiryBatch, cancellationToken);
            foreach (ExpiredPin pin in expired)
            {
                _metrics.PinExpired(pin.ApplicationId, pin.Kind, pin.Destination);
                await _events.PublishAsync(new OpenTfaEvent(EventTypes.PinExpired, pin.TenantId, pin.ApplicationId, now,
                    EventData.ForPin(pin.PinId, pin.Kind, pin.Destination) with { CreatedAt = pin.CreatedAt.ToUnixTimeMilliseconds(), ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }),
                    cancellationToken);
            }
        }
        while (expired.Count > 0 && ++rounds < 20 && !cancellationToken.IsCancellationRequested);

        await _store.PruneWebhookDeliveriesAsync(now - _options.History, cancellationToken);
    }

    /// <summary>Claims and sends one batch; returns how many deliveries it handled.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ClaimedWebhookDelivery> batch = await _store.ClaimDueWebhookDeliveriesAsync(NodeId, _time.GetUtcNow(), _options.Lease, _options.BatchSize, cancellationToken);
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, SendAsync);
        return batch.Count;
    }

    private async ValueTask SendAsync(ClaimedWebhookDelivery claimed, CancellationToken cancellationToken)
    {
        WebhookDelivery delivery = claimed.Delivery;
        int attempt = delivery.Attempts + 1;
        using Activity? activity = OpenTfaTelemetry.StartOperation("webhook deliver", delivery.ApplicationId);
        activity?.SetTag("opentfa.event_type", delivery.EventType);
        activity?.SetTag("opentfa.webhook_id", delivery.WebhookId);

        DateTimeOffset at = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        int? status = null;
        string? error = null;
        try
        {
            byte[] body = Encoding.UTF8.GetBytes(delivery.Payload);
            string secret = _protector.Open(delivery.WebhookId, claimed.Secret);
            using var request = new HttpRequestMessage(HttpMethod.Post, claimed.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Add(OpenTfaSignature.Header, OpenTfaSignature.Create(secret, at, body));
            request.Headers.Add(EventIdHeader, delivery.EventId);
            request.Headers.Add(EventTypeHeader, delivery.EventType);
            request.Headers.Add(DeliveryIdHeader, delivery.Id);
            request.Headers.Add(AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = status is >= 300 and < 400 ? $"answered {status} (redirects are not followed)" : $"answered {status}";
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"no answer within {_options.Timeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or CryptographicException or InvalidOperationException)
        {
            error = ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;
        }

        int duration = (int)Math.Min(int.MaxValue, _time.GetElapsedTime(started).TotalMilliseconds);
        DateTimeOffset now = _time.GetUtcNow();
        WebhookDeliveryState state;
        DateTimeOffset? next = null;
        if (error is null)
        {
            state = WebhookDeliveryState.Delivered;
        }
        else if (attempt >= _options.MaxAttempts)
        {
            state = WebhookDeliveryState.Failed;
        }
        else
        {
            state = WebhookDeliveryState.Pending;
            next = now + Backoff(attempt);
        }

        activity?.SetTag("http.response.status_code", status);
        if (error is not null)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        var outcome = new WebhookAttemptOutcome(delivery.Id, new WebhookAttempt(attempt, at, status, Truncate(error), duration), state, next);
        if (await _store.RecordWebhookAttemptAsync(NodeId, outcome, CancellationToken.None))
        {
            _metrics.WebhookAttempt(delivery.EventType, state switch
            {
                WebhookDeliveryState.Delivered => "delivered",
                WebhookDeliveryState.Failed => "failed",
                _ => "retried",
            });
        }

        if (error is not null)
        {
            Log.AttemptFailed(_logger, delivery.Id, delivery.EventType, attempt, error, state == WebhookDeliveryState.Pending);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        double factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(_options.RetryInitialDelay.Ticks * factor, _options.RetryMaxDelay.Ticks));
    }

    private static string? Truncate(string? text) => text is { Length: > 500 } ? text[..500] : text;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Webhook delivery {DeliveryId} ({EventType}) attempt {Attempt} failed: {Error}; retrying: {Retrying}")]
        public static partial void AttemptFailed(ILogger logger, string deliveryId, string eventType, int attempt, string error, bool retrying);

        [LoggerMessage(2, LogLevel.Error, "The webhook dispatcher failed; retrying")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
