using OpenTfa.Core.Delivery;
using OpenTfa.Core.Workflows;

namespace OpenTfa.Core.Tests.Workflows;

public sealed class WorkflowRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    private static readonly Workflow Mixed = new([new(ChannelKind.Email, 60), new(ChannelKind.WhatsApp, 30), new(ChannelKind.Sms, 90), new(ChannelKind.Voice, 0)]);

    [Fact]
    public void For_APhoneNumber_KeepsThePhoneSteps_AndAnAddressTheEmailSteps()
    {
        Assert.Equal([ChannelKind.WhatsApp, ChannelKind.Sms, ChannelKind.Voice], Mixed.For(email: false)!.Steps.Select(s => s.Kind));
        Assert.Equal([ChannelKind.Email], Mixed.For(email: true)!.Steps.Select(s => s.Kind));
        Assert.Null(new Workflow([new(ChannelKind.Sms, 0)]).For(email: true));
    }

    [Fact]
    public void Started_PointsAtTheSecondStep_DueAfterTheFirstStepsWait()
    {
        Workflow phone = Mixed.For(email: false)!;

        PinWorkflow started = PinWorkflow.Started(phone, T0, "M1");

        Assert.Equal((1, T0.AddSeconds(30), "M1"), (started.StepsRun, started.DueAt, started.CurrentMessageId));
        Assert.Equal(new WorkflowStep(ChannelKind.Sms, 90), started.Next);
        Assert.Equal(T0.AddSeconds(90), started.DueAfter(1, T0));
        Assert.Null(started.DueAfter(2, T0));
        Assert.Null((started with { StepsRun = 3 }).Next);
    }

    [Fact]
    public void Started_AOneStepPlan_HasNothingDue()
    {
        PinWorkflow started = PinWorkflow.Started(new Workflow([new(ChannelKind.WhatsApp, 0)]), T0, "M1");

        Assert.Null(started.DueAt);
        Assert.Null(started.Next);
    }

    [Fact]
    public void Json_RoundTripsThePlanAlone()
    {
        Workflow plan = Mixed with { NewPinPerStep = true };

        string json = plan.ToJson();

        Assert.Equal("""{"steps":[{"kind":2,"waitSeconds":60},{"kind":3,"waitSeconds":30},{"kind":0,"waitSeconds":90},{"kind":1,"waitSeconds":0}],"newPinPerStep":true}""", json);
        Workflow? read = Workflow.FromJson(json);
        Assert.Equal(plan.Steps, read!.Steps);
        Assert.True(read.NewPinPerStep);
        Assert.Null(Workflow.FromJson(null));
    }

    [Theory]
    [InlineData("sms", ChannelKind.Sms)]
    [InlineData("VOICE", ChannelKind.Voice)]
    [InlineData("email", ChannelKind.Email)]
    [InlineData("WhatsApp", ChannelKind.WhatsApp)]
    [InlineData("telegram", ChannelKind.Telegram)]
    public void ChannelKinds_ParseTheirNames_InAnyCase(string name, ChannelKind kind)
    {
        Assert.Equal(kind, ChannelKinds.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), ChannelKinds.Name(kind));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("fax")]
    [InlineData("3")]
    public void ChannelKinds_Parse_RefusesAnythingElse(string? name) => Assert.Null(ChannelKinds.Parse(name));
}
