using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Endpoints;

/// <summary>OpenTfa's own e-mail bodies, whose ids e-mail templates name as <c>emailTemplateId</c>.</summary>
internal static class EmailBodyEndpoints
{
    public static void MapEmailBodies(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/opentfa/v1/email-bodies").RequireScope(Scopes.Manage);
        group.MapPost("/", CreateAsync).Audited(AuditActions.EmailBodyCreated, "email_body", v => (v as EmailBodyResponse)?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapPut("/{id:long}", UpdateAsync).Audited(AuditActions.EmailBodyUpdated, "email_body", routeValue: "id");
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
