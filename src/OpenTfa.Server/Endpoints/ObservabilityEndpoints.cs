using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Webhooks;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Webhooks of an application (<c>opentfa:admin</c>: a webhook sends data out of OpenTfa),
/// with their deliveries and attempts. Each change is audited.
/// </summary>
internal static class WebhookEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/opentfa/v1/applications/{appId}/webhooks").RequireScope(Scopes.Admin).WithTags("Webhooks");
        group.MapPost("/", CreateAsync).Audited(AuditActions.WebhookCreated, "webhook", v => (v as WebhookResponse)?.WebhookId)
            .Operation("createWebhook", "Create a webhook", "The answer holds the signing secret, once.").Takes<WebhookRequest>().Answers<WebhookResponse>();
        group.MapGet("/", ListAsync)
            .Operation("getWebhooks", "List an application's webhooks").Answers<List<WebhookResponse>>();
        group.MapGet("/{webhookId}", GetAsync)
            .Operation("getWebhook", "Get a webhook").Answers<WebhookResponse>();
        group.MapPut("/{webhookId}", UpdateAsync).Audited(AuditActions.WebhookUpdated, "webhook", v => (v as WebhookResponse)?.WebhookId)
            .Operation("updateWebhook", "Change a webhook", "Fields left out keep their values.").Takes<WebhookRequest>().Answers<WebhookResponse>();
        group.MapDelete("/{webhookId}", DeleteAsync).Audited(AuditActions.WebhookDeleted, "webhook", routeValue: "webhookId")
            .Operation("deleteWebhook", "Delete a webhook").AnswersNoContent();
        group.MapPost("/{webhookId}/secret", RotateSecretAsync).Audited(AuditActions.WebhookSecretRotated, "webhook", v => (v as WebhookResponse)?.WebhookId)
            .Operation("rotateWebhookSecret", "Rotate a webhook's signing secret", "The answer holds the new secret, once.").Answers<WebhookResponse>();
        group.MapGet("/{webhookId}/deliveries", DeliveriesAsync)
            .Operation("getWebhookDeliveries", "List a webhook's deliveries", "Newest first, each with its attempts.").Answers<List<WebhookDeliveryResponse>>();
    }

    private static async Task<IResult> CreateAsync(string appId, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<WebhookRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.WebhookRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        Result<WebhookWithSecret> result = await service.CreateAsync(http.Caller().TenantId, appId, ToInput(body.Value), ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value.Webhook, result.Value.Secret), OpenTfaJsonContext.Wire.WebhookResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> ListAsync(string appId, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<IReadOnlyList<Webhook>> result = await service.ListAsync(http.Caller().TenantId, appId, ct);
        return result.IsSuccess
            ? TypedResults.Json(result.Value.Select(w => Wire.ToWire(w)).ToList(), OpenTfaJsonContext.Wire.ListWebhookResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> GetAsync(string appId, string webhookId, HttpContext http, WebhookService service, CancellationToken ct) =>
        Answer(await service.GetAsync(http.Caller().TenantId, appId, webhookId, ct));

    private static async Task<IResult> UpdateAsync(string appId, string webhookId, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<WebhookRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.WebhookRequest, emptyAllowed: false, ct);
        return body.IsSuccess ? Answer(await service.UpdateAsync(http.Caller().TenantId, appId, webhookId, ToInput(body.Value), ct)) : Problems.Result(body.Error);
    }

    private static async Task<IResult> DeleteAsync(string appId, string webhookId, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<Webhook> result = await service.DeleteAsync(http.Caller().TenantId, appId, webhookId, ct);
        return result.IsSuccess ? TypedResults.NoContent() : Problems.Result(result.Error);
    }

    private static async Task<IResult> RotateSecretAsync(string appId, string webhookId, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<WebhookWithSecret> result = await service.RotateSecretAsync(http.Caller().TenantId, appId, webhookId, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value.Webhook, result.Value.Secret), OpenTfaJsonContext.Wire.WebhookResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> DeliveriesAsync(string appId, string webhookId, int? limit, HttpContext http, WebhookService service, CancellationToken ct)
    {
        Result<IReadOnlyList<WebhookDeliveryRecord>> result = await service.DeliveriesAsync(http.Caller().TenantId, appId, webhookId, limit, ct);
        return result.IsSuccess
            ? TypedResults.Json(result.Value.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListWebhookDeliveryResponse)
            : Problems.Result(result.Error);
    }

    private static WebhookInput ToInput(WebhookRequest r) => new(r.Url, r.Events, r.Enabled, r.Description);

    private static IResult Answer(Result<Webhook> result) =>
        result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.WebhookResponse)
            : Problems.Result(result.Error);
}

/// <summary>The audit trail: an operator admin key reads every tenant's (or one, with <c>tenantId</c>), a tenant admin key its own.</summary>
internal static class AuditEndpoints
{
    public static void MapAudit(this IEndpointRouteBuilder app) =>
        app.MapGroup("/opentfa/v1").MapGet("/audit", ListAsync).RequireScope(Scopes.Admin).WithTags("Audit")
            .Operation("getAuditTrail", "Read the audit trail", "Newest first. `from`, `to` are UNIX milliseconds; `before` an entry id to page back from; a key of the operator tenant may name `tenantId`.")
            .Answers<List<AuditEntryResponse>>();

    private static async Task<IResult> ListAsync(string? tenantId, long? from, long? to, long? before, int? limit, HttpContext http, AuditLog audit, CancellationToken ct)
    {
        Result<IReadOnlyList<AuditEntry>> result = await audit.ListAsync(http.Caller(), tenantId,
            from is { } f ? UnixTime.FromMilliseconds(f) : null, to is { } t ? UnixTime.FromMilliseconds(t) : null, before, limit, ct);
        return result.IsSuccess
            ? TypedResults.Json(result.Value.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListAuditEntryResponse)
            : Problems.Result(result.Error);
    }
}

/// <summary>
/// Conversion and delivery figures over a window (<c>2fa:manage</c>), and a destination's
/// history for support staff: masked, or in full with <c>unmasked=true</c> and the
/// <c>opentfa:pii</c> scope (audited).
/// </summary>
internal static class AnalyticsEndpoints
{
    public static void MapAnalytics(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/opentfa/v1");
        v1.MapGet("/analytics", ReportAsync).RequireScope(Scopes.Manage).WithTags("Analytics")
            .Operation("getAnalytics", "Conversion and delivery figures", "Over `from`–`to` (UNIX milliseconds; default the last 24 hours), in total and by application, channel and country.")
            .Answers<AnalyticsResponse>();
        v1.MapGet("/analytics/timeline", TimelineAsync).RequireScope(Scopes.Manage).WithTags("Analytics")
            .Operation("getAnalyticsTimeline", "Figures over time",
                "The last hour by minute (`range=hour`), the last day by hour (`day`, the default) or the last 30 days by UTC day (`month`): sends, verifications, conversion, delivery and protection events per step, by channel.")
            .Query("range", JsonSchemaType.String, "`hour`, `day` or `month`.").Answers<TimelineResponse>();
        v1.MapGet("/pins/{pinId}", PinAsync).RequireScope(Scopes.Manage).WithTags("Messages")
            .Operation("getPin", "Get a PIN's story", "The PIN, each of its messages with its delivery state, and every verify with its outcome; the destination masked.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show destinations in full (needs `opentfa:pii`; each use is audited).").Answers<PinResponse>();
        v1.MapGet("/applications/{appId}/destinations/{destination}/history", HistoryAsync).RequireScope(Scopes.Manage).WithTags("Analytics")
            .Operation("getDestinationHistory", "A destination's PINs and messages", "For support: every PIN sent to the destination with its messages and outcome, newest first.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show destinations in full (needs `opentfa:pii`; each use is audited).").Answers<HistoryResponse>();
    }

    private static async Task<IResult> ReportAsync(string? applicationId, long? from, long? to, HttpContext http, AnalyticsService analytics, CancellationToken ct)
    {
        Result<AnalyticsReport> result = await analytics.ReportAsync(http.Caller().TenantId, applicationId,
            from is { } f ? UnixTime.FromMilliseconds(f) : null, to is { } t ? UnixTime.FromMilliseconds(t) : null, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.AnalyticsResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> TimelineAsync(string? applicationId, string? range, HttpContext http, AnalyticsService analytics, CancellationToken ct)
    {
        Result<AnalyticsTimeline> result = await analytics.TimelineAsync(http.Caller().TenantId, applicationId, range, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.TimelineResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> PinAsync(string pinId, HttpContext http, AnalyticsService analytics, CancellationToken ct)
    {
        if (!JsonBody.TryQueryBool(http.Request, "unmasked", out bool? unmasked, out TfaError? error))
        {
            return Problems.Result(error!);
        }

        Result<PinStory> result = await analytics.PinAsync(http.Caller(), pinId, unmasked == true, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value, unmasked == true, http.Caller().IsOperatorAdmin), OpenTfaJsonContext.Wire.PinResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> HistoryAsync(string appId, string destination, int? limit, HttpContext http, AnalyticsService analytics, CancellationToken ct)
    {
        if (!JsonBody.TryQueryBool(http.Request, "unmasked", out bool? unmasked, out TfaError? error))
        {
            return Problems.Result(error!);
        }

        Result<IReadOnlyList<HistoryEntry>> result = await analytics.HistoryAsync(http.Caller(), appId, destination, unmasked == true, limit, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value, masked: unmasked != true, operatorView: http.Caller().IsOperatorAdmin), OpenTfaJsonContext.Wire.HistoryResponse)
            : Problems.Result(result.Error);
    }
}
