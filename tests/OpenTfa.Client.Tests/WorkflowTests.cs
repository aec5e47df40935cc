using System.Net;
using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

/// <summary>An application's fallback workflow through the typed client: set, read, refused, followed by a PIN, removed.</summary>
public sealed class WorkflowTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static WorkflowRequest SmsThenVoice(int wait = 30) => new()
    {
        Steps = [new WorkflowStepBody { Channel = "sms", WaitSeconds = wait }, new WorkflowStepBody { Channel = "voice" }],
    };

    [Fact]
    public async Task Workflow_SetReadAndRemoved_ThenReadIsNotFound()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, _) = await client.CreateAppAndTemplateAsync();

        WorkflowResponse saved = await client.SetWorkflowAsync(app, new WorkflowRequest
        {
            Steps =
            [
                new WorkflowStepBody { Channel = "whatsapp", WaitSeconds = 30 },
                new WorkflowStepBody { Channel = "sms", WaitSeconds = 60 },
                new WorkflowStepBody { Channel = "voice" },
            ],
            NewPinPerStep = true,
        });
        WorkflowResponse read = await client.GetWorkflowAsync(app);
        await client.DeleteWorkflowAsync(app);

        Assert.Equal(app, saved.ApplicationId);
        Assert.True(saved.NewPinPerStep);
        Assert.Equal(["whatsapp:30", "sms:60", "voice:"], read.Steps.Select(s => $"{s.Channel}:{s.WaitSeconds}"));
        Assert.True(read.NewPinPerStep);
        var gone = await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetWorkflowAsync(app));
        Assert.Equal("This application has no workflow", gone.Text);
        await client.DeleteWorkflowAsync(app);
        var unknown = await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetWorkflowAsync("0000000000000000000000000000DEAD"));
        Assert.NotEqual(gone.Text, unknown.Text);
    }

    [Fact]
    public async Task Workflow_UnknownChannelAndMissingWait_AreRefusedWithTheFieldsByPath()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, _) = await client.CreateAppAndTemplateAsync();

        var ex = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() => client.SetWorkflowAsync(app, new WorkflowRequest
        {
            Steps = [new WorkflowStepBody { Channel = "fax", WaitSeconds = 30 }, new WorkflowStepBody { Channel = "sms" }, new WorkflowStepBody { Channel = "voice" }],
        }));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("Bad request", ex.Title);
        Assert.Equal(["must be sms, voice, email, whatsapp or telegram"], ex.ValidationErrors["steps[0].channel"]);
        Assert.Equal(["is required for every step but the last"], ex.ValidationErrors["steps[1].waitSeconds"]);
        Assert.Equal(2, ex.ValidationErrors.Count);
        Assert.Contains("steps[0].channel", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetWorkflowAsync(app));
    }

    [Fact]
    public async Task PinOfAWorkflow_ShowsItsPlanAndStep_AndAnalyticsCountItByStep()
    {
        OpenTfaClient client = _server.Sdk();
        DateTimeOffset start = DateTimeOffset.UtcNow.AddSeconds(-1);
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        await client.SetWorkflowAsync(app, SmsThenVoice(wait: 600));
        string to = Requests.NewNumber();

        StartAuthenticationResponse sent = await client.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to });
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        PinResponse pending = await client.GetPinAsync(sent.PinId);
        Assert.True((await client.VerifyPinAsync(sent.PinId, pin)).Verified);
        PinResponse verified = await client.GetPinAsync(sent.PinId);
        AnalyticsResponse analytics = await client.GetAnalyticsAsync(app, from: start, to: DateTimeOffset.UtcNow.AddSeconds(1));

        PinWorkflowResponse plan = pending.Workflow!;
        Assert.Equal(["sms", "voice"], plan.Steps.Select(s => s.Channel));
        Assert.Equal(1, plan.StepsRun);
        Assert.InRange(plan.NextStepAt!.Value, pending.CreatedAt + 599_000, pending.CreatedAt + 601_000);
        Assert.Equal(1, Assert.Single(pending.Messages).Step);
        Assert.Equal(1, Assert.Single(await client.GetPinMessagesAsync(sent.PinId)).Step);
        Assert.Null(verified.Workflow!.NextStepAt);
        GroupResponse first = Assert.Single(analytics.ByStep);
        Assert.Equal("1:sms", first.Key);
        Assert.Equal((1, 1), (first.Figures.Sent, first.Figures.Verified));
    }
}
