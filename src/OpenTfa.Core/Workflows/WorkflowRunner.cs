using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Workflows;

/// <summary>How workflow steps are found and run (<c>OpenTfa:Workflows</c>).</summary>
public sealed class WorkflowOptions
{
    /// <summary>How often each node looks for due steps; a step runs at most this late.</summary>
    [PositiveDuration]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node holds a claimed step before another node may take it over.</summary>
    [PositiveDuration]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    [SettingRange(1, 10_000)]
    public int BatchSize { get; set; } = 32;
}

/// <summary>
/// Runs the later steps of workflows on every node. A step is claimed with a lease, checked like
/// a resend on its kind plus the protection rules of a send, built, and then committed by one
/// store step that is conditioned on the PIN still being at that step: across nodes, restarts
/// and lease take-overs a step's message is enqueued once. A refused step is skipped and the
/// next one follows at once; a verified, canceled, expired or used-up PIN ends its workflow.
/// </summary>
public sealed partial class WorkflowRunner(
    IWorkflowStore store,
    IPinStore pins,
    SendValidator validator,
    PinMessageBuilder builder,
    PinEvents events,
    SecretProtector protector,
    OutboxSignal outbox,
    IOptions<WorkflowOptions> options,
    TimeProvider time,
    ILogger<WorkflowRunner> logger) : BackgroundService
{
    private readonly WorkflowOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed = 0;
            try
            {
                claimed = await RunDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(logger, ex);
            }

            if (claimed < _options.BatchSize)
            {
                try
                {
                    // Wall-clock polling: steps fall due on the business clock, which a test may move in jumps.
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims the due steps and runs them one after the other; returns how many it claimed.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<DueStep> due = await store.ClaimDueStepsAsync(time.GetUtcNow(), _options.Lease, _options.BatchSize, cancellationToken);
        foreach (DueStep step in due)
        {
            try
            {
                await RunStepAsync(step, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The lease runs out and the step is claimed again: nothing was committed.
                Log.StepFailed(logger, ex, step.PinId, step.StepIndex + 1);
            }
        }

        return due.Count;
    }

    private async Task RunStepAsync(DueStep due, CancellationToken cancellationToken)
    {
        PinRecord? pin = await pins.GetPinAsync(due.TenantId, due.PinId, cancellationToken);
        if (pin?.Workflow is not { } workflow || workflow.StepsRun != due.StepIndex || workflow.Next is not { } step)
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        int number = due.StepIndex + 1;
        Result<ValidatedResend> validated = await validator.ValidateStepAsync(pin, step.Kind, cancellationToken);
        if (!validated.IsSuccess)
        {
            await SkipAsync(pin, workflow, step, validated.Error.Text, now, cancellationToken);
            return;
        }

        ValidatedResend checkedStep = validated.Value;
        string? newPin = workflow.Plan.NewPinPerStep && !checkedStep.TestNumber
            ? PinGenerator.Generate(checkedStep.Template.PinType, checkedStep.Template.PinLength)
            : null;
        Result<OutboxMessage> built = await builder.BuildStepAsync(checkedStep, number, newPin, now, cancellationToken);
        if (!built.IsSuccess)
        {
            await SkipAsync(pin, workflow, step, built.Error.Text, now, cancellationToken);
            return;
        }

        IReadOnlyList<LimitCheck> limits = [.. PinService.SendLimits(checkedStep.Application, pin.Destination), .. checkedStep.Caps ?? []];
        WorkflowStepResult result = await store.RunWorkflowStepAsync(
            new WorkflowStepOperation(pin.TenantId, pin.Id, due.StepIndex, built.Value, newPin is null ? null : protector.Seal(pin.Id, newPin), limits,
                workflow.DueAfter(due.StepIndex, now), now),
            cancellationToken);
        switch (result)
        {
            case WorkflowStepResult.Ran:
                outbox.Notify();
                Log.StepSent(logger, pin.Id, number, step.Kind);
                await events.StepSentAsync(checkedStep, built.Value, now, cancellationToken);
                break;
            case WorkflowStepResult.Limited limited:
                events.Limited(pin.ApplicationId, limited.Refusal);
                await SkipAsync(pin, workflow, step, ErrorTexts.LimitExceeded(limited.Refusal.Check.Setting, limited.Refusal.Check.Text), now, cancellationToken);
                break;
            case WorkflowStepResult.Stopped:
                Log.Stopped(logger, pin.Id, number);
                break;
        }
    }

    /// <summary>Moves past a refused step; the next one, if any, is due at once.</summary>
    private async Task SkipAsync(PinRecord pin, PinWorkflow workflow, WorkflowStep step, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int index = workflow.StepsRun;
        DateTimeOffset? next = index + 1 < workflow.Plan.Steps.Count ? now : null;
        if (await store.SkipWorkflowStepAsync(pin.TenantId, pin.Id, index, next, cancellationToken))
        {
            Log.StepSkipped(logger, pin.Id, index + 1, step.Kind, reason);
            await events.StepSkippedAsync(pin, step.Kind, index + 1, reason, now, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "The workflow loop failed; it goes on after the poll interval")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Workflow step {Step} of PIN {PinId} failed before it was committed; it runs again when its lease ends")]
        public static partial void StepFailed(ILogger logger, Exception exception, string pinId, int step);

        [LoggerMessage(3, LogLevel.Information, "Workflow step {Step} of PIN {PinId} sent as {Kind}")]
        public static partial void StepSent(ILogger logger, string pinId, int step, ChannelKind kind);

        [LoggerMessage(4, LogLevel.Information, "Workflow step {Step} of PIN {PinId} ({Kind}) skipped: {Reason}")]
        public static partial void StepSkipped(ILogger logger, string pinId, int step, ChannelKind kind, string reason);

        [LoggerMessage(5, LogLevel.Debug, "Workflow of PIN {PinId} ended before step {Step}: the PIN is no longer pending")]
        public static partial void Stopped(ILogger logger, string pinId, int step);
    }
}
