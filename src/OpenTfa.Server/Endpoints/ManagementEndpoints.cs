using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>OpenTfa's own surface: tenants, API keys and message states (ProblemDetails errors).</summary>
internal static class ManagementEndpoints
{
    public static void MapManagement(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/opentfa/v1");
        RouteGroupBuilder tenants = v1.MapGroup("/tenants").RequireScope(Scopes.Admin).WithTags("Tenants");
        tenants.MapPost("/", CreateTenantAsync)
            .Audited(AuditActions.TenantCreated, "tenant", v => (v as TenantResponse)?.TenantId, tenantOf: v => (v as TenantResponse)?.TenantId)
            .Operation("createTenant", "Create a tenant", "Only a key of the operator tenant.").Takes<CreateTenantRequest>().Answers<TenantResponse>();
        tenants.MapGet("/", ListTenantsAsync)
            .Operation("getTenants", "List tenants", "Every tenant for the operator tenant's keys; a tenant's own otherwise.").Answers<List<TenantResponse>>();
        tenants.MapGet("/{tenantId}/senders", GetSendersAsync)
            .Operation("getTenantSenders", "Get a tenant's allowed senders").Answers<TenantSendersResponse>();
        tenants.MapPut("/{tenantId}/senders", PutSendersAsync)
            .Audited(AuditActions.TenantSendersChanged, "tenant", routeValue: "tenantId", tenantOf: v => (v as TenantSendersResponse)?.TenantId,
                detailsOf: v => v is TenantSendersResponse r ? $"sms {Describe(r.Sms)}; email {Describe(r.Email)}" : null)
            .Operation("setTenantSenders", "Set a tenant's allowed senders", "A list limits the tenant to those senders; a list left out leaves that kind to the service-wide rule.")
            .Takes<TenantSendersRequest>().Answers<TenantSendersResponse>();
        RouteGroupBuilder keys = v1.MapGroup("/keys").RequireScope(Scopes.Admin).WithTags("API keys");
        keys.MapPost("/", CreateKeyAsync)
            .Audited(AuditActions.KeyCreated, "key", v => (v as ApiKeyResponse)?.KeyId, tenantOf: v => (v as ApiKeyResponse)?.TenantId,
                detailsOf: v => v is ApiKeyResponse key ? "scopes " + string.Join(' ', key.Scopes) : null)
            .Operation("createApiKey", "Create an API key", "The answer holds the key itself, once; OpenTfa keeps only its hash.")
            .Takes<CreateApiKeyRequest>().Answers<ApiKeyResponse>();
        keys.MapGet("/", ListKeysAsync)
            .Operation("getApiKeys", "List API keys", "The tenant's keys; a key of the operator tenant may name `tenantId`, or leave it out for every tenant's.")
            .Answers<List<ApiKeyResponse>>();
        keys.MapDelete("/{keyId}", RevokeKeyAsync)
            .Audited(AuditActions.KeyRevoked, "key", v => (v as ApiKeyResponse)?.KeyId, tenantOf: v => (v as ApiKeyResponse)?.TenantId)
            .Operation("revokeApiKey", "Revoke an API key", "The key stops working at once; its record stays, with `revokedAt`.").Answers<ApiKeyResponse>();
        v1.MapGet("/pins/{pinId}/messages", ListMessagesAsync).RequireScope(Scopes.PinSend).WithTags("Messages")
            .Operation("getPinMessages", "List a PIN's messages", "Each message sent for the PIN with its delivery state; destinations masked.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show destinations in full (needs `opentfa:pii`; each use is audited).").Answers<List<MessageStateResponse>>();
        v1.MapGet("/messages/{messageId}", GetMessageAsync).RequireScope(Scopes.PinSend).WithTags("Messages")
            .Operation("getMessage", "Get a message's delivery state")
            .Query("unmasked", JsonSchemaType.Boolean, "Show destinations in full (needs `opentfa:pii`; each use is audited).").Answers<MessageStateResponse>();
    }

    private static async Task<IResult> CreateTenantAsync(HttpContext http, AccessService access, CancellationToken ct)
    {
        Result<CreateTenantRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.CreateTenantRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        Result<Tenant> result = await access.CreateTenantAsync(http.Caller(), body.Value.Name, ct);
        return result.IsSuccess ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.TenantResponse) : Problems.Result(result.Error);
    }

    private static async Task<IResult> ListTenantsAsync(HttpContext http, AccessService access, CancellationToken ct)
    {
        IReadOnlyList<Tenant> tenants = await access.ListTenantsAsync(http.Caller(), ct);
        return TypedResults.Json(tenants.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListTenantResponse);
    }

    private static async Task<IResult> GetSendersAsync(string tenantId, HttpContext http, SenderService senders, CancellationToken ct)
    {
        Result<TenantSenders> result = await senders.ReadAsync(http.Caller(), tenantId, ct);
        return result.IsSuccess ? TypedResults.Json(Wire.ToWire(tenantId, result.Value), OpenTfaJsonContext.Wire.TenantSendersResponse) : Problems.Result(result.Error);
    }

    private static async Task<IResult> PutSendersAsync(string tenantId, HttpContext http, SenderService senders, CancellationToken ct)
    {
        Result<TenantSendersRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.TenantSendersRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        Result<TenantSenders> result = await senders.SetAsync(http.Caller(), tenantId, new TenantSenders(body.Value.Sms, body.Value.Email), ct);
        return result.IsSuccess ? TypedResults.Json(Wire.ToWire(tenantId, result.Value), OpenTfaJsonContext.Wire.TenantSendersResponse) : Problems.Result(result.Error);
    }

    private static string Describe(IReadOnlyList<string>? list) => list is null ? "service-wide rule" : list.Count == 0 ? "service default only" : string.Join(", ", list);

    private static async Task<IResult> CreateKeyAsync(HttpContext http, AccessService access, CancellationToken ct)
    {
        Result<CreateApiKeyRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.CreateApiKeyRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        CreateApiKeyRequest r = body.Value;
        Result<CreatedKey> result = await access.CreateKeyAsync(http.Caller(), r.Name, r.TenantId, r.Scopes,
            r.ExpiresAt is { } ms ? UnixTime.FromMilliseconds(ms) : null, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value.Key, result.Value.ClearKey), OpenTfaJsonContext.Wire.ApiKeyResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> ListKeysAsync(string? tenantId, HttpContext http, AccessService access, CancellationToken ct)
    {
        IReadOnlyList<ApiKey> keys = await access.ListKeysAsync(http.Caller(), tenantId, ct);
        return TypedResults.Json(keys.Select(k => Wire.ToWire(k)).ToList(), OpenTfaJsonContext.Wire.ListApiKeyResponse);
    }

    private static async Task<IResult> RevokeKeyAsync(string keyId, HttpContext http, AccessService access, CancellationToken ct)
    {
        Result<ApiKey> result = await access.RevokeKeyAsync(http.Caller(), keyId, ct);
        return result.IsSuccess ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.ApiKeyResponse) : Problems.Result(result.Error);
    }

    /// <summary>The messages of a PIN, destinations masked, or in full with <c>unmasked=true</c> and <c>opentfa:pii</c> (audited).</summary>
    private static async Task<IResult> ListMessagesAsync(string pinId, HttpContext http, IPinStore pins, IOutboxStore outbox, AuditLog audit, CancellationToken ct)
    {
        string tenant = http.Caller().TenantId;
        if (await pins.GetPinAsync(tenant, pinId, ct) is not { } pin)
        {
            return Problems.Result(new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound));
        }

        if (!Unmasking.TryRead(http, out bool unmasked, out IResult? problem))
        {
            return problem!;
        }

        IReadOnlyList<MessageStatus> list = await outbox.ListMessagesAsync(tenant, pinId, ct);
        if (unmasked)
        {
            await audit.RecordUnmaskedAsync(http.Caller(), "pin", pinId, $"messages of PIN {pinId} to {Destinations.Mask(pin.Destination)}", ct);
        }

        return TypedResults.Json(list.Select(m => Wire.ToWire(m, unmasked, http.Caller().IsOperatorAdmin)).ToList(), OpenTfaJsonContext.Wire.ListMessageStateResponse);
    }

    /// <summary>One message's state, its destination masked, or in full with <c>unmasked=true</c> and <c>opentfa:pii</c> (audited).</summary>
    private static async Task<IResult> GetMessageAsync(string messageId, HttpContext http, IOutboxStore outbox, AuditLog audit, CancellationToken ct)
    {
        if (await outbox.GetMessageAsync(http.Caller().TenantId, messageId, ct) is not { } message)
        {
            return Problems.Result(new TfaError(ErrorKind.NotFound, "Message not found"));
        }

        if (!Unmasking.TryRead(http, out bool unmasked, out IResult? problem))
        {
            return problem!;
        }

        if (unmasked)
        {
            await audit.RecordUnmaskedAsync(http.Caller(), "message", messageId, $"message of PIN {message.PinId} to {Destinations.Mask(message.To)}", ct);
        }

        return TypedResults.Json(Wire.ToWire(message, unmasked, http.Caller().IsOperatorAdmin), OpenTfaJsonContext.Wire.MessageStateResponse);
    }
}
