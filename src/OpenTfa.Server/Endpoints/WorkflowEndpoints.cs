using OpenTfa.Contracts;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Workflows;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>An application's fallback workflow: the channels a PIN moves through until it is verified.</summary>
internal static class WorkflowEndpoints
{
    public static void MapWorkflows(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder group = app.MapGroup("/opentfa/v1/applications/{appId}/workflow").RequireScope(Scopes.Manage).WithTags("Workflows");
        group.MapGet("/", GetAsync)
            .Operation("getWorkflow", "Get an application's workflow", "404 when the application has none.").Answers<WorkflowResponse>();
        group.MapPut("/", PutAsync).Audited(AuditActions.WorkflowChanged, "application", routeValue: "appId")
            .Operation("putWorkflow", "Set an application's workflow",
                "Every send on any surface then starts with the first step that can reach its destination; each later step delivers the PIN again on its own channel "
                + "after the step before waited `waitSeconds` without a verification, or at once when its message failed for good. PINs already sent keep the workflow they started with.")
            .Takes<WorkflowRequest>().Answers<WorkflowResponse>();
        group.MapDelete("/", DeleteAsync).Audited(AuditActions.WorkflowRemoved, "application", routeValue: "appId")
            .Operation("deleteWorkflow", "Remove an application's workflow", "Sends go out on the channel they ask for again; PINs already sent finish their workflow.")
            .AnswersNoContent();
    }

    private static async Task<IResult> GetAsync(string appId, HttpContext http, WorkflowService service, CancellationToken ct)
    {
        Result<Workflow?> result = await service.GetAsync(http.Caller().TenantId, appId, ct);
        return !result.IsSuccess ? Problems.Result(result.Error)
            : result.Value is { } workflow ? TypedResults.Json(Wire.ToWire(appId, workflow), OpenTfaJsonContext.Wire.WorkflowResponse)
            : Problems.Result(new TfaError(ErrorKind.NotFound, "This application has no workflow"));
    }

    private static async Task<IResult> PutAsync(string appId, HttpContext http, WorkflowService service, CancellationToken ct)
    {
        Result<WorkflowRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.WorkflowRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        var input = new WorkflowInput(body.Value.Steps?.Select(s => s is null ? null : new WorkflowStepInput(s.Channel, s.WaitSeconds)).ToList(), body.Value.NewPinPerStep);
        Result<Workflow> result = await service.SetAsync(http.Caller().TenantId, appId, input, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(appId, result.Value), OpenTfaJsonContext.Wire.WorkflowResponse)
            : Problems.Result(result.Error);
    }

    private static async Task<IResult> DeleteAsync(string appId, HttpContext http, WorkflowService service, CancellationToken ct) =>
        await service.RemoveAsync(http.Caller().TenantId, appId, ct) is { } error ? Problems.Result(error) : TypedResults.NoContent();
}
