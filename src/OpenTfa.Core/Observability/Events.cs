using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Core.Observability;

/// <summary>The event types webhooks subscribe to.</summary>
public static class EventTypes
{
    /// <summary>A PIN's message was queued for delivery (a send, or a resend with <c>resend: true</c>).</summary>
    public const string PinSent = "pin.sent";

    /// <summary>A channel reported the message delivered to the handset or mailbox.</summary>
    public const string MessageDelivered = "message.delivered";

    /// <summary>A message was refused for good by its channel, reported undelivered, or not delivered before the PIN expired.</summary>
    public const string MessageFailed = "message.failed";

    /// <summary>A verify with the right PIN.</summary>
    public const string PinVerified = "pin.verified";

    /// <summary>
    /// A sent PIN reached its TTL without being verified and with attempts left. Announced by
    /// a sweep (<c>OpenTfa:Webhooks:ExpirySweepInterval</c>), once per PIN across all nodes.
    /// </summary>
    public const string PinExpired = "pin.expired";

    /// <summary>The wrong PIN that used up the last attempt.</summary>
    public const string PinAttemptsExhausted = "pin.attempts_exhausted";

    /// <summary>A pending PIN canceled through the API (a Twilio verification updated to <c>canceled</c>).</summary>
    public const string PinCanceled = "pin.canceled";

    /// <summary>A send, resend or verify refused by an abuse-protection rule.</summary>
    public const string RuleRefused = "rule.refused";

    /// <summary>A workflow step that did not go out (protection, a limit, or no channel refused it); the next step follows at once.</summary>
    public const string StepSkipped = "pin.step_skipped";

    public static readonly IReadOnlyList<string> All = [PinSent, MessageDelivered, MessageFailed, PinVerified, PinExpired, PinAttemptsExhausted, PinCanceled, RuleRefused, StepSkipped];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}

/// <summary>
/// What an event says beyond its type. Destinations appear masked only (<see cref="Destinations.Mask"/>);
/// a PIN never appears.
/// </summary>
public sealed record EventData
{
    public string? PinId { get; init; }

    public string? MessageId { get; init; }

    /// <summary><c>sms</c>, <c>voice</c>, <c>email</c>, <c>whatsapp</c> or <c>telegram</c>.</summary>
    public string? Channel { get; init; }

    /// <summary>The workflow step (from 1) a message delivers, or a skipped step; absent outside a workflow.</summary>
    public int? Step { get; init; }

    /// <summary>The configured channel that carried the message.</summary>
    public string? ChannelName { get; init; }

    public string? Country { get; init; }

    /// <summary>The destination, masked.</summary>
    public string? To { get; init; }

    public bool? Resend { get; init; }

    public int? AttemptsRemaining { get; init; }

    public string? Error { get; init; }

    /// <summary>For <c>rule.refused</c>: the rule that refused.</summary>
    public string? Rule { get; init; }

    /// <summary>For <c>rule.refused</c>: <c>send</c>, <c>resend</c> or <c>verify</c>.</summary>
    public string? Operation { get; init; }

    public long? CreatedAt { get; init; }

    public long? ExpiresAt { get; init; }

    public long? VerifiedAt { get; init; }

    public long? DeliveredAt { get; init; }

    /// <summary>The common fields of a PIN's event.</summary>
    public static EventData ForPin(string pinId, ChannelKind kind, string destination) => new()
    {
        PinId = pinId,
        Channel = ChannelKinds.Name(kind),
        Country = OpenTfaMetrics.CountryOf(kind, destination),
        To = Destinations.Mask(destination),
    };
}

/// <summary>Something that happened, for webhooks and counters. <see cref="Id"/> is unique per event; every webhook and every retry gets the same one.</summary>
public sealed record OpenTfaEvent(string Type, string TenantId, string ApplicationId, DateTimeOffset At, EventData Data)
{
    public string Id { get; init; } = Ids.New();
}

/// <summary>
/// Where Core reports events. Call <see cref="PublishAsync"/> after the state change it
/// describes is stored; it never throws for a webhook problem (the request that caused the
/// event has already succeeded), and it returns once matching webhooks' deliveries are queued
/// durably in the store.
/// </summary>
/// <example>
/// An abuse-protection rule that refuses a send:
/// <code>
/// await events.PublishAsync(OpenTfaEvents.RuleRefused(tenantId, applicationId, "destination_blocked", "send", ChannelKind.Sms, destination, now), ct);
/// </code>
/// The rule name becomes a metric label, so it must come from a fixed set (the rule's kind,
/// never its value or the destination).
/// </example>
public interface IEventSink
{
    Task PublishAsync(OpenTfaEvent @event, CancellationToken cancellationToken);
}

/// <summary>
/// The event sink: counts every event (<c>opentfa_events_total{type}</c>, and
/// <c>opentfa_refusals_total{reason="rule"}</c> for <c>rule.refused</c>) and queues one
/// webhook delivery per enabled webhook of the application that subscribes to the type.
/// </summary>
public sealed partial class OpenTfaEvents(
    IWebhookStore store,
    WebhookSubscriptions subscriptions,
    WebhookSignal signal,
    OpenTfaMetrics metrics,
    TimeProvider time,
    ILogger<OpenTfaEvents> logger) : IEventSink
{
    /// <summary>A <c>rule.refused</c> event for a destination (shown masked) refused by <paramref name="rule"/>.</summary>
    public static OpenTfaEvent RuleRefused(string tenantId, string applicationId, string rule, string operation, ChannelKind kind, string destination, DateTimeOffset at, string? pinId = null) =>
        new(EventTypes.RuleRefused, tenantId, applicationId, at, EventData.ForPin(pinId!, kind, destination) with { PinId = pinId, Rule = rule, Operation = operation });

    public async Task PublishAsync(OpenTfaEvent @event, CancellationToken cancellationToken)
    {
        metrics.Event(@event.Type);
        if (@event.Type == EventTypes.RuleRefused)
        {
            metrics.Refused(@event.ApplicationId, "rule", @event.Data.Rule ?? "unknown");
        }

        try
        {
            IReadOnlyList<Webhook> webhooks = await subscriptions.ForApplicationAsync(@event.TenantId, @event.ApplicationId, cancellationToken);
            List<Webhook> matching = webhooks.Where(w => w.Subscribes(@event.Type)).ToList();
            if (matching.Count == 0)
            {
                return;
            }

            string payload = WebhookPayload.Serialize(@event);
            DateTimeOffset now = time.GetUtcNow();
            WebhookDelivery[] deliveries = matching
                .Select(w => new WebhookDelivery(Ids.New(), w.Id, @event.TenantId, @event.ApplicationId, @event.Id, @event.Type, payload,
                    WebhookDeliveryState.Pending, 0, now, now, now))
                .ToArray();
            // Queued even when the caller gives up now: the state change it reports is already stored.
            await store.EnqueueWebhookDeliveriesAsync(deliveries, CancellationToken.None);
            signal.Notify();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(logger, ex, @event.Type, @event.Id);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Could not queue the webhook deliveries of event {EventType} {EventId}")]
        public static partial void PublishFailed(ILogger logger, Exception exception, string eventType, string eventId);
    }
}

/// <summary>An event sink that drops everything, for hosts and tests without webhooks.</summary>
public sealed class NullEventSink : IEventSink
{
    public static readonly NullEventSink Instance = new();

    public Task PublishAsync(OpenTfaEvent @event, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The JSON body of a webhook POST.</summary>
public static class WebhookPayload
{
    public static string Serialize(OpenTfaEvent @event) => JsonSerializer.Serialize(
        new WebhookBody(@event.Id, @event.Type, @event.At.ToUnixTimeMilliseconds(), @event.ApplicationId, @event.Data),
        WebhookJsonContext.Default.WebhookBody);
}

/// <param name="Id">The event id, the same on every retry: receivers de-duplicate on it.</param>
/// <param name="CreatedAt">When it happened, in UNIX milliseconds.</param>
public sealed record WebhookBody(string Id, string Type, long CreatedAt, string ApplicationId, EventData Data);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookBody))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
