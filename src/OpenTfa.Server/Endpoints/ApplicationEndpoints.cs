using OpenTfa.Contracts;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

internal static class ApplicationEndpoints
{
    public static void MapApplications(this RouteGroupBuilder tfa)
    {
        RouteGroupBuilder group = tfa.MapGroup("/applications").RequireScope(Scopes.Manage).WithTags("2FA applications");
        group.MapGet("/", ListAsync)
            .Operation("getTfaApplications", "Get 2FA applications").Answers<List<ApplicationResponse>>();
        group.MapPost("/", CreateAsync).Audited(AuditActions.ApplicationCreated, "application", v => (v as ApplicationResponse)?.ApplicationId)
            .Operation("createTfaApplication", "Create 2FA application", "Answers 200 (as Infobip's clients expect), not 201.")
            .Takes<ApplicationRequest>().Answers<ApplicationResponse>();
        group.MapGet("/{appId}", GetAsync)
            .Operation("getTfaApplication", "Get 2FA application").Answers<ApplicationResponse>();
        group.MapPut("/{appId}", ReplaceAsync).Audited(AuditActions.ApplicationUpdated, "application", routeValue: "appId")
            .Operation("updateTfaApplication", "Update 2FA application", "Replaces the whole application: configuration fields left out take their defaults.")
            .Takes<ApplicationRequest>().Answers<ApplicationResponse>();
    }

    private static async Task<IResult> ListAsync(HttpContext http, ApplicationService service, CancellationToken ct)
    {
        IReadOnlyList<Application> list = await service.ListAsync(http.Caller().TenantId, ct);
        return TypedResults.Json(list.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListApplicationResponse);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ApplicationService service, CancellationToken ct)
    {
        Result<ApplicationRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.ApplicationRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return InfobipErrors.Result(body.Error);
        }

        return Answer(await service.CreateAsync(http.Caller().TenantId, Wire.ToInput(body.Value), ct));
    }

    private static async Task<IResult> GetAsync(string appId, HttpContext http, ApplicationService service, CancellationToken ct) =>
        Answer(await service.GetAsync(http.Caller().TenantId, appId, ct));

    private static async Task<IResult> ReplaceAsync(string appId, HttpContext http, ApplicationService service, CancellationToken ct)
    {
        Result<ApplicationRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.ApplicationRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return InfobipErrors.Result(body.Error);
        }

        return Answer(await service.ReplaceAsync(http.Caller().TenantId, appId, Wire.ToInput(body.Value), ct));
    }

    private static IResult Answer(Result<Application> result) =>
        result.IsSuccess ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.ApplicationResponse) : InfobipErrors.Result(result.Error);
}
