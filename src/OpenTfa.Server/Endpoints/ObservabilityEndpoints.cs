using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Webhooks;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Webhooks of an application (<c>opentfa:admin</c>: a webhook sends data out of OpenTfa),
/// with their deliveries and attempts. Each change is audited.
/// </summary>
internal static class WebhookEndpoints
{
    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/opentfa/v1/applications/{appId}/webhooks").RequireScope(Scopes.Admin);
        group.MapPost("/", CreateAsync).Audited(AuditActions.WebhookCreated, "webhook", v => (v as WebhookResponse)?.WebhookId);
        group.MapGet("/", ListAsync);
        group.MapGet("/{webhookId}", GetAsync);
        group.MapPut("/{webhookId}", UpdateAsync).Audited(AuditActions.WebhookUpdated, "webhook", v => (v as WebhookResponse)?.WebhookId);
        group.MapDelete("/{webhookId}", DeleteAsync).Audited(AuditActions.WebhookDeleted, "webhook", routeValue: "webhookId");
        group.MapPost("/{webhookId}/secret", RotateSecretAsync).Audited(AuditActions.WebhookSecretRotated, "webhook", v => (v as WebhookResponse)?.WebhookId);
        group.MapGet("/{webhookId}/deliveries", DeliveriesAsync);
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
        app.MapGroup("/opentfa/v1").MapGet("/audit", ListAsync).RequireScope(Scopes.Admin);

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
        v1.MapGet("/analytics", ReportAsync).RequireScope(Scopes.Manage);
        v1.MapGet("/applications/{appId}/destinations/{destination}/history", HistoryAsync).RequireScope(Scopes.Manage);
    }

    private static async Task<IResult> ReportAsync(string? applicationId, long? from, long? to, HttpContext http, AnalyticsService analytics, CancellationToken ct)
    {
        Result<AnalyticsReport> result = await analytics.ReportAsync(http.Caller().TenantId, applicationId,
            from is { } f ? UnixTime.FromMilliseconds(f) : null, to is { } t ? UnixTime.FromMilliseconds(t) : null, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.AnalyticsResponse)
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
