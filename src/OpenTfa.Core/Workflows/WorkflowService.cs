using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Workflows;

/// <summary>A step as a caller writes it: <c>channel</c> by name, <c>waitSeconds</c> before the next step.</summary>
public sealed record WorkflowStepInput(string? Channel, int? WaitSeconds);

public sealed record WorkflowInput(IReadOnlyList<WorkflowStepInput?>? Steps, bool? NewPinPerStep);

/// <summary>An application's workflow: read, replace (validated), remove.</summary>
public sealed class WorkflowService(IApplicationStore applications, ChannelRouter router, TimeProvider time)
{
    public async Task<Result<Workflow?>> GetAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is { } application
            ? Result<Workflow?>.Ok(application.Workflow)
            : new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);

    public async Task<Result<Workflow>> SetAsync(string tenantId, string applicationId, WorkflowInput? input, CancellationToken cancellationToken)
    {
        if (await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        var errors = new ValidationErrors();
        Workflow? workflow = Validate(input, applicationId, errors);
        if (errors.Any || workflow is null)
        {
            return TfaError.Validation(errors);
        }

        return await applications.SetWorkflowAsync(tenantId, applicationId, workflow, time.GetUtcNow(), cancellationToken)
            ? workflow
            : new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
    }

    public async Task<TfaError?> RemoveAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        await applications.SetWorkflowAsync(tenantId, applicationId, null, time.GetUtcNow(), cancellationToken)
            ? null
            : new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);

    /// <summary>
    /// The rules of a plan: 1 to <see cref="Workflow.MaxSteps"/> steps, each of a kind some channel
    /// carries for the application, and every step but the last waiting 1 to
    /// <see cref="Workflow.MaxWaitSeconds"/> seconds (the last waits for nothing).
    /// </summary>
    private Workflow? Validate(WorkflowInput? input, string applicationId, ValidationErrors errors)
    {
        if (input?.Steps is not { Count: > 0 } steps)
        {
            errors.Add("steps", "must list at least one step");
            return null;
        }

        if (steps.Count > Workflow.MaxSteps)
        {
            errors.Add("steps", $"must list at most {Workflow.MaxSteps} steps");
            return null;
        }

        var result = new List<WorkflowStep>(steps.Count);
        for (int i = 0; i < steps.Count; i++)
        {
            string path = $"steps[{i}]";
            if (steps[i] is not { } step)
            {
                errors.Add(path, "must be an object with channel and waitSeconds");
                continue;
            }

            ChannelKind? kind = ChannelKinds.Parse(step.Channel);
            if (kind is null)
            {
                errors.Add($"{path}.channel", "must be sms, voice, email, whatsapp or telegram");
            }
            else if (!router.CanCarry(kind.Value, applicationId))
            {
                errors.Add($"{path}.channel", $"no channel on this server carries {ChannelKinds.Describe(kind.Value)}");
            }

            bool last = i == steps.Count - 1;
            if (!last && step.WaitSeconds is null)
            {
                errors.Add($"{path}.waitSeconds", "is required for every step but the last");
            }
            else if (step.WaitSeconds is { } wait && (wait < (last ? 0 : 1) || wait > Workflow.MaxWaitSeconds))
            {
                errors.Add($"{path}.waitSeconds", $"must be between {(last ? 0 : 1)} and {Workflow.MaxWaitSeconds}");
            }

            if (kind is not null)
            {
                result.Add(new WorkflowStep(kind.Value, last ? 0 : step.WaitSeconds ?? 0));
            }
        }

        return errors.Any ? null : new Workflow(result, input.NewPinPerStep ?? false);
    }
}
