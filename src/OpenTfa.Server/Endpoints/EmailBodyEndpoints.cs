using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>OpenTfa's own e-mail bodies, whose ids e-mail templates name as <c>emailTemplateId</c>.</summary>
internal static class EmailBodyEndpoints
{
    public static void MapEmailBodies(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/opentfa/v1/email-bodies").RequireScope(Scopes.Manage).WithTags("E-mail bodies");
        group.MapPost("/", CreateAsync).Audited(AuditActions.EmailBodyCreated, "email_body", v => (v as EmailBodyResponse)?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Operation("createEmailBody", "Create an e-mail body", "Subject, text and optional HTML with `{{pin}}` and placeholders; e-mail templates name it as `emailTemplateId`.")
            .Takes<EmailBodyRequest>().Answers<EmailBodyResponse>();
        group.MapGet("/", ListAsync)
            .Operation("getEmailBodies", "List e-mail bodies").Answers<List<EmailBodyResponse>>();
        group.MapGet("/{id:long}", GetAsync)
            .Operation("getEmailBody", "Get an e-mail body").Answers<EmailBodyResponse>();
        group.MapPut("/{id:long}", UpdateAsync).Audited(AuditActions.EmailBodyUpdated, "email_body", routeValue: "id")
            .Operation("updateEmailBody", "Replace an e-mail body").Takes<EmailBodyRequest>().Answers<EmailBodyResponse>();
    }

    private static async Task<IResult> CreateAsync(HttpContext http, EmailBodyService service, CancellationToken ct)
    {
        Result<EmailBodyRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.EmailBodyRequest, emptyAllowed: false, ct);
        return body.IsSuccess ? Answer(await service.CreateAsync(http.Caller().TenantId, ToInput(body.Value), ct)) : Problems.Result(body.Error);
    }

    private static async Task<IResult> ListAsync(HttpContext http, EmailBodyService service, CancellationToken ct) =>
        TypedResults.Json((await service.ListAsync(http.Caller().TenantId, ct)).Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListEmailBodyResponse);

    private static async Task<IResult> GetAsync(long id, HttpContext http, EmailBodyService service, CancellationToken ct) =>
        Answer(await service.GetAsync(http.Caller().TenantId, id, ct));

    private static async Task<IResult> UpdateAsync(long id, HttpContext http, EmailBodyService service, CancellationToken ct)
    {
        Result<EmailBodyRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.EmailBodyRequest, emptyAllowed: false, ct);
        return body.IsSuccess ? Answer(await service.UpdateAsync(http.Caller().TenantId, id, ToInput(body.Value), ct)) : Problems.Result(body.Error);
    }

    private static EmailBodyInput ToInput(EmailBodyRequest r) => new(r.Name, r.Subject, r.Text, r.Html);

    private static IResult Answer(Result<EmailBody> result) =>
        result.IsSuccess ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.EmailBodyResponse) : Problems.Result(result.Error);
}
