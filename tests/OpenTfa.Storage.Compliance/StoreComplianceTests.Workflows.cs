using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Workflows;

namespace OpenTfa.Storage.Compliance;

// Fallback workflows: a PIN's place in its plan is on its row, and every step is one store step
// conditioned on that place, so a step runs once however many nodes claim it.
public abstract partial class StoreComplianceTests
{
    private static readonly TimeSpan StepLease = TimeSpan.FromSeconds(30);

    private static readonly Workflow ThreeSteps = new([new(ChannelKind.WhatsApp, 30), new(ChannelKind.Sms, 60), new(ChannelKind.Voice, 0)]);

    /// <summary>A PIN sent as the first step of <paramref name="plan"/> at <paramref name="at"/>.</summary>
    private async Task<(PinRecord Pin, OutboxMessage Message)> IssueWorkflowPinAsync(Workflow? plan = null, DateTimeOffset? at = null, int attempts = 5, string tenantId = "tenant-a")
    {
        DateTimeOffset now = at ?? T0;
        PinRecord pin = NewPin(tenantId, NewId(), createdAt: now, attempts: attempts, kind: ChannelKind.WhatsApp);
        OutboxMessage message = NewMessage(pin, now) with { Step = 1 };
        pin = pin with { Workflow = PinWorkflow.Started(plan ?? ThreeSteps, now, message.Id) };
        Assert.Null(await Pins.IssuePinAsync(pin, message, SendLimits(pin), now, Ct));
        return (pin, message);
    }

    private static WorkflowStepOperation Step(PinRecord pin, int index, DateTimeOffset now, ChannelKind kind, SealedSecret? newPin = null, params LimitCheck[] limits)
    {
        OutboxMessage message = NewMessage(pin with { Kind = kind }, now) with { Step = index + 1 };
        return new WorkflowStepOperation(pin.TenantId, pin.Id, index, message, newPin, limits.Length == 0 ? SendLimits(pin) : limits,
            pin.Workflow!.DueAfter(index, now), now);
    }

    [Fact]
    public async Task IssuePin_WithAWorkflow_StoresThePlanAndTheFirstStep()
    {
        (PinRecord pin, OutboxMessage message) = await IssueWorkflowPinAsync();

        PinRecord? stored = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        Assert.NotNull(stored?.Workflow);
        Assert.Equal(ThreeSteps.Steps, stored.Workflow.Plan.Steps);
        Assert.Equal(1, stored.Workflow.StepsRun);
        Assert.Equal(T0.AddSeconds(30), stored.Workflow.DueAt);
        Assert.Equal(message.Id, stored.Workflow.CurrentMessageId);
        Assert.Equal(1, Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct)).Step);
    }

    [Fact]
    public async Task ClaimDueSteps_TakesOnlyDueSteps_AndLeasesThem()
    {
        (PinRecord due, _) = await IssueWorkflowPinAsync();
        (PinRecord later, _) = await IssueWorkflowPinAsync(at: T0.AddSeconds(20));
        await IssueAsync(NewPin("tenant-a", NewId()));

        Assert.Empty(await Workflows.ClaimDueStepsAsync(T0.AddSeconds(29), StepLease, 10, Ct));
        DueStep claimed = Assert.Single(await Workflows.ClaimDueStepsAsync(T0.AddSeconds(30), StepLease, 10, Ct));
        Assert.Equal(new DueStep("tenant-a", due.Id, 1), claimed);

        // Leased: not claimed again until the lease ends, then claimed again (a node died holding it).
        Assert.Empty(await Workflows.ClaimDueStepsAsync(T0.AddSeconds(31), StepLease, 10, Ct));
        IReadOnlyList<DueStep> afterLease = await Workflows.ClaimDueStepsAsync(T0.AddSeconds(60), StepLease, 10, Ct);
        Assert.Equal(new[] { due.Id, later.Id }.Order(StringComparer.Ordinal), afterLease.Select(s => s.PinId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunWorkflowStep_EnqueuesTheMessage_CountsTheLimits_AndPointsAtTheNextStep()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync();
        DateTimeOffset now = T0.AddSeconds(30);
        WorkflowStepOperation step = Step(pin, 1, now, ChannelKind.Sms);

        Assert.IsType<WorkflowStepResult.Ran>(await Workflows.RunWorkflowStepAsync(step, Ct));

        PinRecord? stored = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        Assert.Equal(2, stored!.Workflow!.StepsRun);
        Assert.Equal(now.AddSeconds(60), stored.Workflow.DueAt);
        Assert.Equal(step.Message.Id, stored.Workflow.CurrentMessageId);
        IReadOnlyList<MessageStatus> messages = await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct);
        Assert.Equal([(1, ChannelKind.WhatsApp), (2, ChannelKind.Sms)], messages.Select(m => (m.Step ?? 0, m.Kind)).ToArray());

        // The same step again (another node, a lease taken over) changes nothing.
        Assert.IsType<WorkflowStepResult.Stale>(await Workflows.RunWorkflowStepAsync(Step(pin, 1, now, ChannelKind.Sms), Ct));
        Assert.Equal(2, (await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct)).Count);

        // The last step leaves nothing due.
        Assert.IsType<WorkflowStepResult.Ran>(await Workflows.RunWorkflowStepAsync(Step(stored, 2, now.AddSeconds(60), ChannelKind.Voice), Ct));
        stored = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        Assert.Equal(3, stored!.Workflow!.StepsRun);
        Assert.Null(stored.Workflow.DueAt);
        Assert.Empty(await Workflows.ClaimDueStepsAsync(T0.AddHours(1), StepLease, 10, Ct));
    }

    [Fact]
    public async Task RunWorkflowStep_WithTheLimitFull_IsLimitedAndLeavesThePinAtItsStep()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync();
        // The send itself took the one slot.
        LimitCheck perNumber = SendPerDestination(pin.ApplicationId, pin.Destination, "1/1h");

        WorkflowStepResult result = await Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms, null, perNumber), Ct);

        Assert.IsType<WorkflowStepResult.Limited>(result);
        Assert.Equal(1, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Workflow!.StepsRun);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
    }

    [Fact]
    public async Task RunWorkflowStep_OnAnEndedPin_StopsTheWorkflow()
    {
        (PinRecord verified, _) = await IssueWorkflowPinAsync();
        await Pins.VerifyPinAsync(Verify(verified, "1234", T0.AddSeconds(5)), Ct);
        (PinRecord canceled, _) = await IssueWorkflowPinAsync();
        await Pins.ClosePinAsync("tenant-a", canceled.Id, PinClosure.Canceled, T0.AddSeconds(5), Ct);
        (PinRecord spent, _) = await IssueWorkflowPinAsync(attempts: 1);
        await Pins.VerifyPinAsync(Verify(spent, "0000", T0.AddSeconds(5)), Ct);
        (PinRecord expired, _) = await IssueWorkflowPinAsync(new Workflow([new(ChannelKind.Sms, 3600), new(ChannelKind.Voice, 0)]));

        foreach (PinRecord pin in (PinRecord[])[verified, canceled, spent])
        {
            Assert.IsType<WorkflowStepResult.Stopped>(await Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms), Ct));
            Assert.Null((await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Workflow!.DueAt);
            Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        }

        // A claim ends the workflows of PINs that stopped being pending instead of handing them out.
        Assert.Empty(await Workflows.ClaimDueStepsAsync(expired.ExpiresAt.AddHours(1), StepLease, 10, Ct));
        Assert.Null((await Pins.GetPinAsync("tenant-a", expired.Id, Ct))!.Workflow!.DueAt);
    }

    [Fact]
    public async Task SkipWorkflowStep_MovesPastTheStepOnce()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync();

        Assert.True(await Workflows.SkipWorkflowStepAsync("tenant-a", pin.Id, 1, T0.AddSeconds(30), Ct));
        Assert.False(await Workflows.SkipWorkflowStepAsync("tenant-a", pin.Id, 1, T0.AddSeconds(30), Ct));
        Assert.False(await Workflows.SkipWorkflowStepAsync("tenant-b", pin.Id, 2, T0.AddSeconds(30), Ct));

        PinRecord? stored = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        Assert.Equal(2, stored!.Workflow!.StepsRun);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        Assert.IsType<WorkflowStepResult.Stale>(await Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms), Ct));
    }

    [Fact]
    public async Task FailedCurrentMessage_BringsTheNextStepForward_AnEarlierOneDoesNot()
    {
        (PinRecord pin, OutboxMessage first) = await IssueWorkflowPinAsync();
        OutboxMessage claimed = Assert.Single(await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(1), StepLease, 10, Ct));
        await Outbox.MarkFailedAsync(claimed.Id, "node-1", "wa", "WA_131026 Message undeliverable", T0.AddSeconds(2), Ct);

        Assert.Equal(T0.AddSeconds(2), (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Workflow!.DueAt);
        Assert.Equal(new DueStep("tenant-a", pin.Id, 1), Assert.Single(await Workflows.ClaimDueStepsAsync(T0.AddSeconds(2), StepLease, 10, Ct)));
        Assert.Equal(first.Id, claimed.Id);

        // Step 2 runs; a late failure report of step 1 then moves nothing.
        PinRecord atStep1 = (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!;
        Assert.IsType<WorkflowStepResult.Ran>(await Workflows.RunWorkflowStepAsync(Step(atStep1, 1, T0.AddSeconds(3), ChannelKind.Sms), Ct));
        OutboxMessage sms = Assert.Single(await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(4), StepLease, 10, Ct));
        await Outbox.MarkSubmittedAsync(sms.Id, "node-1", "smpp", "smsc-1", T0.AddSeconds(5), Ct);
        Assert.Equal(T0.AddSeconds(63), (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Workflow!.DueAt);

        // A delivery report that the SMS failed brings step 3 forward.
        Assert.True(await Outbox.RecordDeliveryAsync("smpp", "smsc-1", MessageState.Failed, "UNDELIV", T0.AddSeconds(6), T0.AddSeconds(6), Ct));
        Assert.Equal(T0.AddSeconds(6), (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Workflow!.DueAt);
    }

    [Fact]
    public async Task RunWorkflowStep_WithANewPin_ReplacesIt_AndTheOldCodeIsWrong()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync(new Workflow(ThreeSteps.Steps, NewPinPerStep: true));
        
        Assert.IsType<WorkflowStepResult.Ran>(await Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms, Protector.Seal(pin.Id, "5678")), Ct));

        VerifyResult.Decided old = Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(31)), Ct));
        Assert.Equal(PinError.WrongPin, old.Decision.Error);
        PinRecord stored = (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!;
        Assert.True(Protector.Matches(pin.Id, stored.Pin, "5678"));
        VerifyResult.Decided fresh = Assert.IsType<VerifyResult.Decided>(
            await Pins.VerifyPinAsync(Verify(stored, "5678", T0.AddSeconds(32)), Ct));
        Assert.True(fresh.Decision.Verified);
        Assert.Equal(4, fresh.Decision.AttemptsRemaining);
    }

    [Fact]
    public async Task RunWorkflowStep_SixteenNodesRacingForOneStep_RunItOnce()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync();

        WorkflowStepResult[] results = await RunConcurrentlyAsync(16, _ => Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms), Ct));

        Assert.Single(results, r => r is WorkflowStepResult.Ran);
        Assert.All(results.Where(r => r is not WorkflowStepResult.Ran), r => Assert.IsType<WorkflowStepResult.Stale>(r));
        Assert.Equal(2, (await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct)).Count);
    }

    [Fact]
    public async Task ClaimDueSteps_RacingClaims_HandEachStepToOneClaimer()
    {
        var pins = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            pins.Add((await IssueWorkflowPinAsync()).Pin.Id);
        }

        IReadOnlyList<DueStep>[] claims = await RunConcurrentlyAsync(8, _ => Workflows.ClaimDueStepsAsync(T0.AddSeconds(30), StepLease, 3, Ct));

        string[] claimed = [.. claims.SelectMany(c => c).Select(s => s.PinId)];
        Assert.Equal(claimed.Length, claimed.Distinct().Count());
        Assert.Equal(pins.Order(StringComparer.Ordinal), claimed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SetWorkflow_IsReadWithTheApplication_AndSurvivesAnUpdate()
    {
        var application = await CreateApplicationAsync("tenant-a");
        Assert.Null((await Applications.GetApplicationAsync("tenant-a", application.Id, Ct))!.Workflow);

        Assert.True(await Applications.SetWorkflowAsync("tenant-a", application.Id, ThreeSteps with { NewPinPerStep = true }, T0.AddMinutes(1), Ct));
        Assert.False(await Applications.SetWorkflowAsync("tenant-b", application.Id, ThreeSteps, T0.AddMinutes(1), Ct));
        Assert.True(await Applications.UpdateApplicationAsync(application with { Name = "Renamed", UpdatedAt = T0.AddMinutes(2) }, Ct));

        var stored = (await Applications.GetApplicationAsync("tenant-a", application.Id, Ct))!;
        Assert.Equal("Renamed", stored.Name);
        Assert.Equal(ThreeSteps.Steps, stored.Workflow!.Steps);
        Assert.True(stored.Workflow.NewPinPerStep);
        Assert.Equal(ThreeSteps.Steps, Assert.Single(await Applications.ListApplicationsAsync("tenant-a", Ct)).Workflow!.Steps);

        Assert.True(await Applications.SetWorkflowAsync("tenant-a", application.Id, null, T0.AddMinutes(3), Ct));
        Assert.Null((await Applications.GetApplicationAsync("tenant-a", application.Id, Ct))!.Workflow);
    }

    [Fact]
    public async Task PinFacts_ListEachStepsMessage()
    {
        (PinRecord pin, _) = await IssueWorkflowPinAsync();
        Assert.IsType<WorkflowStepResult.Ran>(await Workflows.RunWorkflowStepAsync(Step(pin, 1, T0.AddSeconds(30), ChannelKind.Sms), Ct));

        PinFacts facts = Assert.Single(await Analytics.ListPinFactsAsync(new PinFactsQuery("tenant-a", pin.ApplicationId, T0, T0.AddHours(1), 10), Ct));

        Assert.Equal([(1, ChannelKind.WhatsApp, MessageState.Queued, T0), (2, ChannelKind.Sms, MessageState.Queued, T0.AddSeconds(30))],
            facts.Steps!.OrderBy(s => s.Step).Select(s => (s.Step, s.Kind, s.State, s.CreatedAt)).ToArray());
    }
}
