using System.Diagnostics;

namespace OpenTfa.Core.Observability;

/// <summary>
/// OpenTfa's spans, on the activity source <c>OpenTfa</c>: each API operation, each store step
/// and each delivery attempt on a channel. A message's delivery continues the trace of the
/// request that created it (its trace context travels in the outbox row). Span tags carry ids,
/// kinds and names, never a number, an address or a PIN.
/// </summary>
public static class OpenTfaTelemetry
{
    public const string SourceName = "OpenTfa";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartOperation(string name, string? applicationId = null, string? pinId = null)
    {
        Activity? activity = Source.StartActivity(name, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.SetTag("opentfa.application_id", applicationId);
            activity.SetTag("opentfa.pin_id", pinId);
        }

        return activity;
    }

    /// <summary>A store step, named after the store operation (<c>IssuePinAsync</c> → <c>store IssuePin</c>).</summary>
    public static Activity? StartStore(string system, string operation)
    {
        Activity? activity = Source.StartActivity("store " + (operation.EndsWith("Async", StringComparison.Ordinal) ? operation[..^5] : operation), ActivityKind.Client);
        activity?.SetTag("db.system.name", system);
        return activity;
    }

    /// <summary>A delivery attempt of one message, as a child of the request that created it when its trace context is known.</summary>
    public static Activity? StartDelivery(string messageId, string pinId, string? traceParent)
    {
        ActivityContext parent = default;
        if (traceParent is not null)
        {
            ActivityContext.TryParse(traceParent, null, out parent);
        }

        Activity? activity = Source.StartActivity("outbox deliver", ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag("opentfa.message_id", messageId);
            activity.SetTag("opentfa.pin_id", pinId);
        }

        return activity;
    }

    public static Activity? StartChannelSend(string channelName, string kind, int attempt)
    {
        Activity? activity = Source.StartActivity("channel send " + channelName, ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag("opentfa.channel", channelName);
            activity.SetTag("opentfa.channel_kind", kind);
            activity.SetTag("opentfa.attempt", attempt);
        }

        return activity;
    }

    /// <summary>The W3C trace context of the current span, to store with work that continues it later.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
}
