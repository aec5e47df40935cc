using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Observability;

/// <summary>
/// OpenTfa's own instruments, on the meter <c>OpenTfa</c>. Every label set is bounded: the
/// application id (only when the operator enables it: it is tenant data), the channel kind (<c>sms</c>, <c>voice</c>, <c>email</c>), the configured
/// channel name, the destination's country (ISO region from the numbering plan; <c>ZZ</c> when
/// unknown, <c>none</c> for e-mail) and a fixed outcome. No number, address or PIN is ever a label.
/// </summary>
public sealed class OpenTfaMetrics : IDisposable
{
    public const string MeterName = "OpenTfa";

    private static readonly double[] DeliveryBuckets = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
    private static readonly double[] VerificationBuckets = [1, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];

    private readonly bool _ownsMeter;
    private readonly bool _applicationLabels;
    private readonly Counter<long> _pinsSent;
    private readonly Counter<long> _pinsResent;
    private readonly Counter<long> _verifications;
    private readonly Counter<long> _pinsExpired;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _messages;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Histogram<double> _verificationDuration;
    private readonly Counter<long> _events;
    private readonly Counter<long> _webhookAttempts;
    private readonly Counter<long> _channelSends;
    private readonly Counter<long> _workflowSteps;

    /// <summary>
    /// Instruments on a meter from <paramref name="factory"/> (per DI container), or on a meter of
    /// their own; with <paramref name="applicationLabels"/>, labelled by application id too.
    /// </summary>
    public OpenTfaMetrics(IMeterFactory? factory = null, bool applicationLabels = false)
    {
        _ownsMeter = factory is null;
        _applicationLabels = applicationLabels;
        Meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _pinsSent = Meter.CreateCounter<long>("opentfa.pins.sent", "{pin}", "PINs issued by send requests; outcome sent or not_sent (refused by the number check)");
        _pinsResent = Meter.CreateCounter<long>("opentfa.pins.resent", "{pin}", "Resends accepted");
        _verifications = Meter.CreateCounter<long>("opentfa.pins.verifications", "{verification}", "Verify answers; outcome verified, wrong_pin, ttl_expired or no_more_attempts");
        _pinsExpired = Meter.CreateCounter<long>("opentfa.pins.expired", "{pin}", "PINs whose TTL ended unused (sent, never verified, attempts left)");
        _refusals = Meter.CreateCounter<long>("opentfa.refusals", "{request}", "Sends, resends and verifies refused; reason limit (name = the limit setting) or rule (name = the rule)");
        _messages = Meter.CreateCounter<long>("opentfa.messages", "{message}", "Message state changes; state submitted, retried, delivered or failed");
        _deliveryDuration = Meter.CreateHistogram("opentfa.pins.delivery.duration", "s", "From a message's creation (send or resend) to its delivery report",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryBuckets });
        _verificationDuration = Meter.CreateHistogram("opentfa.pins.verification.duration", "s", "From a PIN's send to its first successful verify",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = VerificationBuckets });
        _events = Meter.CreateCounter<long>("opentfa.events", "{event}", "Events published (the webhook event types)");
        _webhookAttempts = Meter.CreateCounter<long>("opentfa.webhooks.attempts", "{attempt}", "Webhook POSTs; outcome delivered, retried or failed");
        _channelSends = Meter.CreateCounter<long>("opentfa.channel.sends", "{attempt}",
            "Send attempts handed to each channel; outcome submitted, failed (refused for good) or retried (failed for now: the route moved on or the message went back to the outbox)");
        _workflowSteps = Meter.CreateCounter<long>("opentfa.workflow.steps", "{step}",
            "Workflow steps by step number (1 is the send itself) and channel; outcome sent, or skipped (refused by protection or a limit, or no channel)");
    }

    public Meter Meter { get; }

    /// <summary>The country label of a canonical destination.</summary>
    public static string CountryOf(ChannelKind kind, string destination) =>
        kind == ChannelKind.Email || destination.Contains('@', StringComparison.Ordinal) ? "none" : Destinations.Country(destination);

    public void PinSent(string applicationId, ChannelKind kind, string destination, bool sent) =>
        _pinsSent.Add(1, Tags(applicationId, kind, destination, ("outcome", sent ? "sent" : "not_sent")));

    public void PinResent(string applicationId, ChannelKind kind, string destination) =>
        _pinsResent.Add(1, Tags(applicationId, kind, destination));

    public void Verification(string applicationId, ChannelKind kind, string destination, PinError error) =>
        _verifications.Add(1, Tags(applicationId, kind, destination, ("outcome", error switch
        {
            PinError.None => "verified",
            PinError.WrongPin => "wrong_pin",
            PinError.TtlExpired => "ttl_expired",
            _ => "no_more_attempts",
        })));

    public void VerifiedAfter(string applicationId, ChannelKind kind, string destination, TimeSpan elapsed) =>
        _verificationDuration.Record(Math.Max(0, elapsed.TotalSeconds), Tags(applicationId, kind, destination));

    public void PinExpired(string applicationId, ChannelKind kind, string destination) =>
        _pinsExpired.Add(1, Tags(applicationId, kind, destination));

    /// <summary>A refusal: <paramref name="reason"/> is <c>limit</c> or <c>rule</c>, <paramref name="name"/> the limit setting or rule name (a fixed set).</summary>
    public void Refused(string applicationId, string reason, string name)
    {
        var tags = new TagList { { "reason", reason }, { "name", name } };
        AddApplication(ref tags, applicationId);
        _refusals.Add(1, tags);
    }

    public void Message(MessageFacts message, string state)
    {
        TagList tags = Tags(message.ApplicationId, message.Status.Kind, message.Status.To, ("state", state));
        tags.Add("channel_name", message.Status.ChannelName ?? "none");
        _messages.Add(1, tags);
    }

    public void DeliveredAfter(MessageFacts message, TimeSpan elapsed) =>
        _deliveryDuration.Record(Math.Max(0, elapsed.TotalSeconds), Tags(message.ApplicationId, message.Status.Kind, message.Status.To));

    public void WorkflowStep(string applicationId, ChannelKind kind, string destination, int step, string outcome)
    {
        TagList tags = Tags(applicationId, kind, destination, ("outcome", outcome));
        tags.Add("step", step);
        _workflowSteps.Add(1, tags);
    }

    public void Event(string type) => _events.Add(1, new KeyValuePair<string, object?>("type", type));

    public void WebhookAttempt(string eventType, string outcome) =>
        _webhookAttempts.Add(1, new KeyValuePair<string, object?>("event", eventType), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>One send attempt on a channel, whatever became of the message afterwards (another channel of the route may have taken it).</summary>
    public void ChannelSend(string channelName, ChannelKind kind, string outcome) =>
        _channelSends.Add(1, new KeyValuePair<string, object?>("channel_name", channelName), new KeyValuePair<string, object?>("channel", ChannelKinds.Name(kind)), new KeyValuePair<string, object?>("outcome", outcome));

    private void AddApplication(ref TagList tags, string applicationId)
    {
        if (_applicationLabels)
        {
            tags.Add("application", applicationId);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    private TagList Tags(string applicationId, ChannelKind kind, string destination, (string Key, string Value)? extra = null)
    {
        var tags = new TagList
        {
            { "channel", ChannelKinds.Name(kind) },
            { "country", CountryOf(kind, destination) },
        };
        AddApplication(ref tags, applicationId);
        if (extra is { } e)
        {
            tags.Add(e.Key, e.Value);
        }

        return tags;
    }
}

