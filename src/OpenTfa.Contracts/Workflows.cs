namespace OpenTfa.Contracts;

/// <summary>One step of a workflow: the channel kind and how long to wait for a verification before the next step.</summary>
public sealed class WorkflowStepBody
{
    /// <summary><c>sms</c>, <c>voice</c>, <c>email</c>, <c>whatsapp</c> or <c>telegram</c>.</summary>
    public string? Channel { get; set; }

    /// <summary>Seconds after this step is sent before the next one goes out (1 to 3600); the last step needs none.</summary>
    public int? WaitSeconds { get; set; }
}

/// <summary>An application's workflow: the steps a PIN goes through until it is verified.</summary>
public sealed class WorkflowRequest
{
    public List<WorkflowStepBody?>? Steps { get; set; }

    /// <summary>Each later step carries a newly drawn PIN under the same pinId; by default every step carries the same PIN.</summary>
    public bool? NewPinPerStep { get; set; }
}

public sealed class WorkflowResponse
{
    public required string ApplicationId { get; init; }

    public required IReadOnlyList<WorkflowStepBody> Steps { get; init; }

    public required bool NewPinPerStep { get; init; }
}
