using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

internal static class TemplateEndpoints
{
    public static void MapTemplates(this RouteGroupBuilder tfa)
    {
        RouteGroupBuilder group = tfa.MapGroup("/applications/{appId}").RequireScope(Scopes.Manage).WithTags("2FA message templates");
        group.MapGet("/messages", ListAsync)
            .Operation("getTfaMessageTemplates", "Get 2FA message templates", "Every template of the application, SMS/voice and e-mail alike.")
            .Answers<List<MessageTemplateResponse>>();
        group.MapPost("/messages", CreateAsync).Audited(AuditActions.TemplateCreated, "template", v => (v as MessageTemplateResponse)?.MessageId)
            .Operation("createTfaMessageTemplate", "Create 2FA message template", "An SMS or voice template; `messageText` holds `{{pin}}`.")
            .Takes<MessageTemplateRequest>().Answers<MessageTemplateResponse>();
        group.MapGet("/messages/{msgId}", GetAsync)
            .Operation("getTfaMessageTemplate", "Get 2FA message template").Answers<MessageTemplateResponse>();
        group.MapPut("/messages/{msgId}", UpdateAsync).Audited(AuditActions.TemplateUpdated, "template", routeValue: "msgId")
            .Operation("updateTfaMessageTemplate", "Update 2FA message template", "Fields left out keep their values.")
            .Takes<MessageTemplateRequest>().Answers<MessageTemplateResponse>();
        group.MapPost("/email/messages", CreateEmailAsync).Audited(AuditActions.TemplateCreated, "template", v => (v as MessageTemplateResponse)?.MessageId)
            .Operation("createTfaEmailMessageTemplate", "Create 2FA email message template", "`emailTemplateId` names one of the tenant's e-mail bodies (`/opentfa/v1/email-bodies`).")
            .Takes<EmailTemplateRequest>().Answers<MessageTemplateResponse>();
        group.MapPut("/email/messages/{msgId}", UpdateEmailAsync).Audited(AuditActions.TemplateUpdated, "template", routeValue: "msgId")
            .Operation("updateTfaEmailMessageTemplate", "Update 2FA email message template", "Fields left out keep their values.")
            .Takes<EmailTemplateRequest>().Answers<MessageTemplateResponse>();
    }

    private static async Task<IResult> ListAsync(string appId, HttpContext http, TemplateService service, CancellationToken ct)
    {
        Result<IReadOnlyList<MessageTemplate>> result = await service.ListAsync(http.Caller().TenantId, appId, ct);
        return result.IsSuccess
            ? TypedResults.Json(result.Value.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListMessageTemplateResponse)
            : InfobipErrors.Result(result.Error);
    }

    private static async Task<IResult> GetAsync(string appId, string msgId, HttpContext http, TemplateService service, CancellationToken ct) =>
        Answer(await service.FindAsync(http.Caller().TenantId, appId, msgId, ct));

    private static async Task<IResult> CreateAsync(string appId, HttpContext http, TemplateService service, CancellationToken ct)
    {
        Result<MessageTemplateRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.MessageTemplateRequest, emptyAllowed: false, ct);
        return body.IsSuccess
            ? Answer(await service.CreateTextAsync(http.Caller().TenantId, appId, Wire.ToInput(body.Value), ct))
            : InfobipErrors.Result(body.Error);
    }

    private static async Task<IResult> UpdateAsync(string appId, string msgId, HttpContext http, TemplateService service, CancellationToken ct)
    {
        Result<MessageTemplateRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.MessageTemplateRequest, emptyAllowed: false, ct);
        return body.IsSuccess
            ? Answer(await service.UpdateTextAsync(http.Caller().TenantId, appId, msgId, Wire.ToInput(body.Value), ct))
            : InfobipErrors.Result(body.Error);
    }

    private static async Task<IResult> CreateEmailAsync(string appId, HttpContext http, TemplateService service, CancellationToken ct)
    {
        Result<EmailTemplateRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.EmailTemplateRequest, emptyAllowed: false, ct);
        return body.IsSuccess
            ? Answer(await service.CreateEmailAsync(http.Caller().TenantId, appId, Wire.ToInput(body.Value), ct))
            : InfobipErrors.Result(body.Error);
    }

    private static async Task<IResult> UpdateEmailAsync(string appId, string msgId, HttpContext http, TemplateService service, CancellationToken ct)
    {
        Result<EmailTemplateRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.EmailTemplateRequest, emptyAllowed: false, ct);
        return body.IsSuccess
            ? Answer(await service.UpdateEmailAsync(http.Caller().TenantId, appId, msgId, Wire.ToInput(body.Value), ct))
            : InfobipErrors.Result(body.Error);
    }

    private static IResult Answer(Result<MessageTemplate> result) =>
        result.IsSuccess ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.MessageTemplateResponse) : InfobipErrors.Result(result.Error);
}
