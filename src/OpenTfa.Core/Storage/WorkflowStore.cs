using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Storage;

/// <summary>A workflow step a node has claimed: step <see cref="StepIndex"/> (from 0) of the PIN's plan.</summary>
public sealed record DueStep(string TenantId, string PinId, int StepIndex);

/// <param name="NewPin">The newly drawn PIN that replaces the stored one, when the plan asks for one per step.</param>
/// <param name="NextDueAt">When the step after this one is due; null when this is the last.</param>
public sealed record WorkflowStepOperation(
    string TenantId,
    string PinId,
    int StepIndex,
    OutboxMessage Message,
    SealedSecret? NewPin,
    IReadOnlyList<LimitCheck> Limits,
    DateTimeOffset? NextDueAt,
    DateTimeOffset Now);

public abstract record WorkflowStepResult
{
    /// <summary>The step's message is enqueued and counted; the PIN points at the next step.</summary>
    public sealed record Ran : WorkflowStepResult;

    /// <summary>A limit refused the step; nothing changed.</summary>
    public sealed record Limited(LimitRefusal Refusal) : WorkflowStepResult;

    /// <summary>The PIN is verified, canceled, expired or out of attempts: the workflow is over and nothing more is due.</summary>
    public sealed record Stopped : WorkflowStepResult;

    /// <summary>Another node ran or skipped this step already (or the PIN is gone); nothing changed.</summary>
    public sealed record Stale : WorkflowStepResult;
}

/// <summary>
/// The durable side of fallback workflows. A PIN's place in its plan lives on its row; every
/// method is one atomic step conditioned on that place, so each step runs once across nodes,
/// restarts and retries.
/// </summary>
public interface IWorkflowStore
{
    /// <summary>
    /// Ends the workflows of PINs that stopped being pending (verified, canceled, expired, out of
    /// attempts), then leases up to <paramref name="max"/> due steps of pending PINs until
    /// <c>now + lease</c>: a node that dies holding one leaves it to another once the lease ends.
    /// </summary>
    Task<IReadOnlyList<DueStep>> ClaimDueStepsAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>
    /// When the PIN is still at step <see cref="WorkflowStepOperation.StepIndex"/>: checks it is
    /// pending (or ends its workflow), checks and counts the limits, enqueues the message, replaces
    /// the PIN when a new one is given, marks the PIN sent and points it at the next step.
    /// </summary>
    Task<WorkflowStepResult> RunWorkflowStepAsync(WorkflowStepOperation operation, CancellationToken cancellationToken);

    /// <summary>Moves a PIN still at <paramref name="stepIndex"/> past that step without a message (a refused step); false when it had moved on.</summary>
    Task<bool> SkipWorkflowStepAsync(string tenantId, string pinId, int stepIndex, DateTimeOffset? nextDueAt, CancellationToken cancellationToken);
}
