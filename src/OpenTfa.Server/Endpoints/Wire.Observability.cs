using System.Text.Json;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Server.Endpoints;

/// <summary>Webhooks, the audit trail, analytics and the history on the wire.</summary>
internal static partial class Wire
{
    public static WebhookResponse ToWire(Webhook w, string? secret = null) => new()
    {
        WebhookId = w.Id,
        ApplicationId = w.ApplicationId,
        Url = w.Url,
        Events = w.Events,
        Enabled = w.Enabled,
        Description = w.Description,
        CreatedAt = UnixTime.Milliseconds(w.CreatedAt),
        UpdatedAt = UnixTime.Milliseconds(w.UpdatedAt),
        Secret = secret,
    };

    public static WebhookDeliveryResponse ToWire(WebhookDeliveryRecord record)
    {
        WebhookDelivery d = record.Delivery;
        using JsonDocument payload = JsonDocument.Parse(d.Payload);
        return new WebhookDeliveryResponse
        {
            DeliveryId = d.Id,
            EventId = d.EventId,
            EventType = d.EventType,
            State = d.State.ToString().ToUpperInvariant(),
            Attempts = d.Attempts,
            CreatedAt = UnixTime.Milliseconds(d.CreatedAt),
            NextAttemptAt = d.State == WebhookDeliveryState.Pending ? UnixTime.Milliseconds(d.NextAttemptAt) : null,
            DeliveredAt = UnixTime.Milliseconds(d.DeliveredAt),
            LastStatus = d.LastStatus,
            LastError = d.LastError,
            Payload = payload.RootElement.Clone(),
            AttemptLog = record.Attempts.Select(a => new WebhookAttemptResponse
            {
                Attempt = a.Attempt,
                At = UnixTime.Milliseconds(a.At),
                Status = a.Status,
                Error = a.Error,
                DurationMs = a.DurationMs,
            }).ToList(),
        };
    }

    public static AuditEntryResponse ToWire(AuditEntry e) => new()
    {
        Id = e.Id,
        At = UnixTime.Milliseconds(e.At),
        TenantId = e.TenantId,
        ActorTenantId = e.ActorTenantId,
        ActorKeyId = e.ActorKeyId,
        Action = e.Action,
        TargetType = e.TargetType,
        TargetId = e.TargetId,
        Details = e.Details,
    };

    public static AnalyticsResponse ToWire(AnalyticsReport r) => new()
    {
        From = UnixTime.Milliseconds(r.From),
        To = UnixTime.Milliseconds(r.To),
        Totals = ToWire(r.Totals),
        ByApplication = r.ByApplication.Select(ToWire).ToList(),
        ByChannel = r.ByChannel.Select(ToWire).ToList(),
        ByCountry = r.ByCountry.Select(ToWire).ToList(),
        ByStep = (r.ByStep ?? []).Select(ToWire).ToList(),
        Truncated = r.Truncated,
    };

    public static TimelineResponse ToWire(AnalyticsTimeline t) => new()
    {
        Range = t.Range.Name,
        From = UnixTime.Milliseconds(t.From),
        To = UnixTime.Milliseconds(t.To),
        StepSeconds = (int)t.Range.Step.TotalSeconds,
        Buckets = t.Buckets.Select(b => new TimelineBucketResponse
        {
            Start = UnixTime.Milliseconds(b.Start),
            Sent = b.Figures.Sent,
            NotSent = b.Figures.NotSent,
            Verified = b.Figures.Verified,
            Conversion = b.Figures.Conversion,
            Delivered = b.Figures.Delivered,
            Failed = b.Figures.Failed,
            DeliveryRate = b.Figures.DeliveryRate,
            Blocked = b.Blocked,
            ByChannel = b.ByChannel.Select(c => new TimelineChannelResponse { Key = c.Key, Sent = c.Sent, Verified = c.Verified, Delivered = c.Delivered }).ToList(),
        }).ToList(),
        Protection = t.Protection.Select(e => new TimelineRuleEventResponse
        {
            At = UnixTime.Milliseconds(e.At), ApplicationId = e.ApplicationId, Rule = e.Rule, Mode = e.Mode, Country = e.Country, Prefix = e.Prefix,
        }).ToList(),
        Truncated = t.Truncated,
    };

    /// <summary>A PIN's story; destinations masked unless <paramref name="unmasked"/>, errors as for <see cref="ToWire(MessageStatus, bool, bool)"/>.</summary>
    public static PinResponse ToWire(PinStory p, bool unmasked, bool operatorView) => new()
    {
        PinId = p.Pin.PinId,
        ApplicationId = p.ApplicationId,
        MessageId = p.TemplateId,
        Channel = ToWire(p.Pin.Kind),
        To = PiiDisclosure.Show(p.Pin.Destination, unmasked),
        Status = p.Status,
        Sent = p.Pin.Sent,
        CreatedAt = UnixTime.Milliseconds(p.Pin.CreatedAt),
        ExpiresAt = UnixTime.Milliseconds(p.Pin.ExpiresAt),
        VerifiedAt = UnixTime.Milliseconds(p.Pin.VerifiedAt),
        AttemptsRemaining = p.Pin.Consumed ? 0 : p.Pin.AttemptsRemaining,
        Workflow = p.Workflow is { } w ? new PinWorkflowResponse
        {
            Steps = ToWire(w.Plan.Steps),
            NewPinPerStep = w.Plan.NewPinPerStep,
            StepsRun = w.StepsRun,
            // A verify, an expiry or a cancel stops the runner but leaves the stored due time in place.
            NextStepAt = p.Status == "PENDING" ? UnixTime.Milliseconds(w.DueAt) : null,
        } : null,
        Messages = p.Messages.Select(m => ToWire(m, unmasked, operatorView)).ToList(),
        Verifications = p.Verifications.Select(v => new VerificationAttemptResponse { At = UnixTime.Milliseconds(v.At), Outcome = v.Outcome }).ToList(),
    };

    /// <param name="entries">The history.</param>
    /// <param name="masked">Whether destinations are masked.</param>
    /// <param name="operatorView">True for the operator's admin key: errors as stored; otherwise the tenant's text.</param>
    public static HistoryResponse ToWire(IReadOnlyList<HistoryEntry> entries, bool masked, bool operatorView) => new()
    {
        Masked = masked,
        Pins = entries.Select(e => new HistoryEntryResponse
        {
            PinId = e.Pin.PinId,
            Channel = ToWire(e.Pin.Kind),
            Destination = e.Pin.Destination,
            Status = e.Status,
            SentAt = UnixTime.Milliseconds(e.Pin.CreatedAt),
            ExpiresAt = UnixTime.Milliseconds(e.Pin.ExpiresAt),
            VerifiedAt = UnixTime.Milliseconds(e.Pin.VerifiedAt),
            AttemptsRemaining = e.Pin.AttemptsRemaining,
            Messages = e.Messages.Select(m => ToWire(m, operatorView)).ToList(),
        }).ToList(),
    };

    private static HistoryMessageResponse ToWire(MessageStatus m, bool operatorView) => new()
    {
        MessageId = m.Id,
        Channel = ToWire(m.Kind),
        State = m.State.ToString().ToUpperInvariant(),
        To = m.To,
        Attempts = m.Attempts,
        CreatedAt = UnixTime.Milliseconds(m.CreatedAt),
        DeliveredAt = UnixTime.Milliseconds(m.DeliveredAt),
        ChannelName = m.ChannelName,
        Error = operatorView ? m.Error : TenantDeliveryError.From(m.Error),
    };

    private static GroupResponse ToWire(AnalyticsGroup g) => new() { Key = g.Key, Figures = ToWire(g.Figures) };

    private static FiguresResponse ToWire(AnalyticsFigures f) => new()
    {
        Sent = f.Sent,
        NotSent = f.NotSent,
        Verified = f.Verified,
        Conversion = f.Conversion,
        Delivered = f.Delivered,
        Failed = f.Failed,
        DeliveryRate = f.DeliveryRate,
        MedianDeliverySeconds = f.MedianDeliverySeconds,
        MedianVerificationSeconds = f.MedianVerificationSeconds,
    };
}
