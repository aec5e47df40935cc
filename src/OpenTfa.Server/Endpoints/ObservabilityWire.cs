using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Server.Endpoints;

internal sealed class WebhookRequest
{
    public string? Url { get; set; }

    public List<string>? Events { get; set; }

    public bool? Enabled { get; set; }

    public string? Description { get; set; }
}

internal sealed class WebhookResponse
{
    public required string WebhookId { get; init; }

    public required string ApplicationId { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public required bool Enabled { get; init; }

    public string? Description { get; init; }

    public required long CreatedAt { get; init; }

    public required long UpdatedAt { get; init; }

    /// <summary>Only in the answer that makes the secret (create, rotate).</summary>
    public string? Secret { get; init; }
}

internal sealed class WebhookAttemptResponse
{
    public required int Attempt { get; init; }

    public required long At { get; init; }

    public int? Status { get; init; }

    public string? Error { get; init; }

    public required int DurationMs { get; init; }
}

internal sealed class WebhookDeliveryResponse
{
    public required string DeliveryId { get; init; }

    public required string EventId { get; init; }

    public required string EventType { get; init; }

    /// <summary>PENDING, DELIVERED or FAILED.</summary>
    public required string State { get; init; }

    public required int Attempts { get; init; }

    public required long CreatedAt { get; init; }

    public long? NextAttemptAt { get; init; }

    public long? DeliveredAt { get; init; }

    public int? LastStatus { get; init; }

    public string? LastError { get; init; }

    public required JsonElement Payload { get; init; }

    public required IReadOnlyList<WebhookAttemptResponse> AttemptLog { get; init; }
}

internal sealed class AuditEntryResponse
{
    public required long Id { get; init; }

    public required long At { get; init; }

    public required string TenantId { get; init; }

    public required string ActorTenantId { get; init; }

    public required string ActorKeyId { get; init; }

    public required string Action { get; init; }

    public required string TargetType { get; init; }

    public string? TargetId { get; init; }

    public string? Details { get; init; }
}

internal sealed class FiguresResponse
{
    public required int Sent { get; init; }

    public required int NotSent { get; init; }

    public required int Verified { get; init; }

    public double? Conversion { get; init; }

    public required int Delivered { get; init; }

    public required int Failed { get; init; }

    public double? DeliveryRate { get; init; }

    public double? MedianDeliverySeconds { get; init; }

    public double? MedianVerificationSeconds { get; init; }
}

internal sealed class GroupResponse
{
    public required string Key { get; init; }

    public required FiguresResponse Figures { get; init; }
}

internal sealed class AnalyticsResponse
{
    public required long From { get; init; }

    public required long To { get; init; }

    public required FiguresResponse Totals { get; init; }

    public required IReadOnlyList<GroupResponse> ByApplication { get; init; }

    public required IReadOnlyList<GroupResponse> ByChannel { get; init; }

    public required IReadOnlyList<GroupResponse> ByCountry { get; init; }

    public required bool Truncated { get; init; }
}

internal sealed class HistoryMessageResponse
{
    public required string MessageId { get; init; }

    public required string Channel { get; init; }

    public required string State { get; init; }

    public required string To { get; init; }

    public required int Attempts { get; init; }

    public required long CreatedAt { get; init; }

    public long? DeliveredAt { get; init; }

    public string? ChannelName { get; init; }

    public string? Error { get; init; }
}

internal sealed class HistoryEntryResponse
{
    public required string PinId { get; init; }

    public required string Channel { get; init; }

    public required string Destination { get; init; }

    /// <summary>VERIFIED, NOT_SENT, EXHAUSTED, EXPIRED or PENDING.</summary>
    public required string Status { get; init; }

    public required long SentAt { get; init; }

    public required long ExpiresAt { get; init; }

    public long? VerifiedAt { get; init; }

    public required int AttemptsRemaining { get; init; }

    public required IReadOnlyList<HistoryMessageResponse> Messages { get; init; }
}

internal sealed class HistoryResponse
{
    public required bool Masked { get; init; }

    public required IReadOnlyList<HistoryEntryResponse> Pins { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, AllowDuplicateProperties = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookResponse))]
[JsonSerializable(typeof(List<WebhookResponse>))]
[JsonSerializable(typeof(List<WebhookDeliveryResponse>))]
[JsonSerializable(typeof(List<AuditEntryResponse>))]
[JsonSerializable(typeof(AnalyticsResponse))]
[JsonSerializable(typeof(HistoryResponse))]
internal sealed partial class ObservabilityJsonContext : JsonSerializerContext;

internal static class ObservabilityWire
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
        Truncated = r.Truncated,
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
            Channel = Wire.ToWire(e.Pin.Kind),
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
        Channel = Wire.ToWire(m.Kind),
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
