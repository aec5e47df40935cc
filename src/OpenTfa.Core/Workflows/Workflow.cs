using System.Text.Json;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Core.Workflows;

/// <summary>One step of a workflow: the kind its message travels as, and how long after it was sent the next step follows unless the PIN is verified first.</summary>
public sealed record WorkflowStep(ChannelKind Kind, int WaitSeconds)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan Wait => TimeSpan.FromSeconds(WaitSeconds);
}

/// <summary>
/// An application's fallback plan: the first step carries the PIN when it is sent, each later
/// step delivers it again on its own kind once the step before has waited in vain.
/// </summary>
/// <param name="NewPinPerStep">Each later step carries a newly drawn PIN under the same pinId (the earlier one stops matching); by default every step carries the same PIN.</param>
public sealed record Workflow(IReadOnlyList<WorkflowStep> Steps, bool NewPinPerStep = false)
{
    public const int MaxSteps = 5;
    public const int MaxWaitSeconds = 3600;

    /// <summary>The steps that can reach a destination of this sort: an e-mail address takes e-mail steps only, a phone number every other kind.</summary>
    public Workflow? For(bool email)
    {
        WorkflowStep[] fitting = [.. Steps.Where(s => (s.Kind == ChannelKind.Email) == email)];
        return fitting.Length == 0 ? null : this with { Steps = fitting };
    }

    public string ToJson() => JsonSerializer.Serialize(this, CoreJsonContext.Default.Workflow);

    public static Workflow? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize(json, CoreJsonContext.Default.Workflow);
}

/// <summary>
/// Where a PIN is in its workflow. <see cref="StepsRun"/> steps have been sent (the first with
/// the PIN itself); the next, <c>Plan.Steps[StepsRun]</c>, is due at <see cref="DueAt"/>, or
/// nothing is due when it is null: the plan is complete or the workflow stopped.
/// <see cref="CurrentMessageId"/> is the last step's message: its failure brings the next step forward.
/// </summary>
public sealed record PinWorkflow(Workflow Plan, int StepsRun, DateTimeOffset? DueAt, string? CurrentMessageId)
{
    /// <summary>The state right after the first step went out at <paramref name="now"/> in message <paramref name="messageId"/>.</summary>
    public static PinWorkflow Started(Workflow plan, DateTimeOffset now, string? messageId) =>
        new(plan, 1, plan.Steps.Count > 1 ? now + plan.Steps[0].Wait : null, messageId);

    public WorkflowStep? Next => StepsRun < Plan.Steps.Count ? Plan.Steps[StepsRun] : null;

    /// <summary>When the step after the one that runs now is due; null when it is the last.</summary>
    public DateTimeOffset? DueAfter(int stepIndex, DateTimeOffset now) =>
        stepIndex + 1 < Plan.Steps.Count ? now + Plan.Steps[stepIndex].Wait : null;
}
