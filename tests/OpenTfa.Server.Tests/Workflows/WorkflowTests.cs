using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Server.Tests.Twilio;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Workflows;

/// <summary>
/// Fallback workflows through the real server on a fake clock: every channel is the log channel
/// (it carries every kind), or a scripted WhatsApp channel that refuses numbers for good.
/// </summary>
public sealed class WorkflowTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

    private const string WhatsAppSmsVoice =
        """{"steps":[{"channel":"whatsapp","waitSeconds":30},{"channel":"sms","waitSeconds":60},{"channel":"voice"}]}""";

    /// <summary>A WhatsApp channel that refuses every number for good, as Meta does for one that is not on WhatsApp.</summary>
    private static AnsweringChannel NotOnWhatsApp() =>
        new("wa", "not-on-whatsapp", ChannelKind.WhatsApp, DeliveryResult.Permanent("WA_131026 Message undeliverable"));

    private static async Task<(TestServer Server, HttpClient Client, string App, string Template)> StartAsync(
        FakeTimeProvider time, string workflow = WhatsAppSmsVoice, string? application = null, AnsweringChannel? whatsApp = null)
    {
        var settings = new Dictionary<string, string?>();
        if (whatsApp is not null)
        {
            settings["OpenTfa:Channels:wa:Type"] = whatsApp.Type;
            settings["OpenTfa:Channels:log:Type"] = "log";
            settings["OpenTfa:Routes:WhatsApp:0"] = "wa";
            foreach (string kind in (string[])["Sms", "Voice", "Email"])
            {
                settings[$"OpenTfa:Routes:{kind}:0"] = "log";
            }
        }

        TestServer server = await TestServer.StartAsync(settings, time, whatsApp is null ? null : s => s.AddSingleton<IChannelFactory>(whatsApp));
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(application);
        Reply put = await client.PutJsonAsync($"/opentfa/v1/applications/{app}/workflow", workflow);
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        return (server, client, app, template);
    }

    private static int Lines(TestServer server, string to) => server.Deliveries.Lines.Count(l => l.Contains($" to={to} ", StringComparison.Ordinal));

    private static async Task<JsonArray> MessagesAsync(HttpClient client, string pinId, int count)
    {
        Reply reply = await Poll.UntilAsync(
            () => client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages"),
            r => r.Json.AsArray().Count == count,
            TimeSpan.FromSeconds(10),
            r => $"PIN {pinId} never had {count} messages: {r}");
        return reply.Json.AsArray();
    }

    private static string[] Steps(JsonArray messages) =>
        [.. messages.Select(m => $"{m!["step"]}:{m["channel"]}")];

    [Fact]
    public async Task UnverifiedPin_MovesToEachNextStepAtItsWait_OnceEach_WithTheSamePin()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time);
        await using TestServer _ = server;
        const string To = "41793027101";

        string pinId = await client.SendPinOkAsync(app, template, To);
        string first = await server.Deliveries.WaitForLineAsync(To);
        Assert.StartsWith("[opentfa:log] whatsapp ", first, StringComparison.Ordinal);

        time.SetUtcNow(Start.AddSeconds(29));
        await Task.Delay(400);
        Assert.Equal(1, Lines(server, To));

        time.SetUtcNow(Start.AddSeconds(30));
        string second = await server.Deliveries.WaitForLineAsync(To, 2);
        Assert.StartsWith("[opentfa:log] sms ", second, StringComparison.Ordinal);

        time.SetUtcNow(Start.AddSeconds(90));
        string third = await server.Deliveries.WaitForLineAsync(To, 3);
        Assert.StartsWith("[opentfa:log] voice ", third, StringComparison.Ordinal);

        time.SetUtcNow(Start.AddMinutes(9));
        await Task.Delay(400);
        Assert.Equal(3, Lines(server, To));
        Assert.Equal(["1:whatsapp", "2:sms", "3:voice"], Steps(await MessagesAsync(client, pinId, 3)));
        string pin = Testing.Server.CapturedDeliveries.PinOf(first);
        Assert.All([second, third], line => Assert.Equal(pin, Testing.Server.CapturedDeliveries.PinOf(line)));

        Reply verified = await client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{pin}}"}""");
        Assert.True(verified.Json["verified"]!.GetValue<bool>(), verified.ToString());
        JsonNode story = (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}")).Json;
        Assert.Equal(3, story["workflow"]!["stepsRun"]!.GetValue<int>());
        Assert.Null(story["workflow"]!["nextStepAt"]);
    }

    [Fact]
    public async Task Verification_Cancel_Expiry_AndUsedUpAttempts_EachStopTheWorkflow()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time,
            """{"steps":[{"channel":"sms","waitSeconds":30},{"channel":"voice"}]}""", Api.RoomyApplication(attempts: 1, ttl: "1m"));
        await using TestServer _ = server;

        string verified = await client.SendPinOkAsync(app, template, "41793027111");
        string pin = await server.Deliveries.WaitForPinAsync("41793027111");
        Assert.True((await client.PostJsonAsync($"/2fa/2/pin/{verified}/verify", $$"""{"pin":"{{pin}}"}""")).Json["verified"]!.GetValue<bool>());

        string exhausted = await client.SendPinOkAsync(app, template, "41793027112");
        await server.Deliveries.WaitForLineAsync("41793027112");
        Assert.Equal(0, (await client.PostJsonAsync($"/2fa/2/pin/{exhausted}/verify", """{"pin":"00000000"}""")).Json["attemptsRemaining"]!.GetValue<int>());

        string canceled = await TwilioCancelAsync(server, app, "+41793027113");
        await server.Deliveries.WaitForLineAsync("41793027113");

        // The expiring one is sent 40 s later: its second step falls due after its PIN's minute ends.
        time.SetUtcNow(Start.AddSeconds(40));
        (string slowApp, string slowTemplate) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(ttl: "1m"));
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"/opentfa/v1/applications/{slowApp}/workflow",
            """{"steps":[{"channel":"sms","waitSeconds":90},{"channel":"voice"}]}""")).Status);
        await client.SendPinOkAsync(slowApp, slowTemplate, "41793027114");
        await server.Deliveries.WaitForLineAsync("41793027114");

        time.SetUtcNow(Start.AddMinutes(5));
        await Task.Delay(600);
        foreach (string to in (string[])["41793027111", "41793027112", "41793027113", "41793027114"])
        {
            Assert.Equal(1, Lines(server, to));
        }

        Assert.Single(await MessagesAsync(client, canceled, 1));
    }

    /// <summary>Starts a verification on the Twilio surface (the application is its service) and cancels it; answers its pinId.</summary>
    private static async Task<string> TwilioCancelAsync(TestServer server, string app, string to)
    {
        HttpClient twilio = server.Twilio();
        string service = "VA" + app.ToLowerInvariant();
        Reply started = await twilio.StartAsync(service, to);
        Assert.True(started.Status == HttpStatusCode.Created, started.ToString());
        string sid = started.Str("sid");
        Assert.Equal(HttpStatusCode.OK, (await twilio.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}", ("Status", "canceled"))).Status);
        return sid[2..].ToUpperInvariant();
    }

    [Fact]
    public async Task NumberNotOnWhatsApp_GetsTheSmsAtOnce_WithoutWaiting()
    {
        var time = new FakeTimeProvider(Start);
        AnsweringChannel whatsApp = NotOnWhatsApp();
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time, whatsApp: whatsApp);
        await using TestServer _ = server;
        const string To = "41793027121";

        string pinId = await client.SendPinOkAsync(app, template, To);

        // The clock stands still: only the failure can bring the SMS forward.
        string sms = await server.Deliveries.WaitForLineAsync(To);
        Assert.StartsWith("[opentfa:log] sms ", sms, StringComparison.Ordinal);
        JsonArray messages = await MessagesAsync(client, pinId, 2);
        Assert.Equal(["1:whatsapp", "2:sms"], Steps(messages));
        Assert.Equal("FAILED", messages[0]!["state"]!.GetValue<string>());
        Assert.Contains("WA_131026", messages[0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, whatsApp.Attempts);

        // The voice step still waits its 60 s after the SMS.
        time.SetUtcNow(Start.AddSeconds(59));
        await Task.Delay(400);
        Assert.Equal(1, Lines(server, To));
        time.SetUtcNow(Start.AddSeconds(60));
        Assert.StartsWith("[opentfa:log] voice ", await server.Deliveries.WaitForLineAsync(To, 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_InTheMiddle_RunsTheDueStepOnce()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time);
        await using TestServer _ = server;
        const string To = "41793027131";
        string pinId = await client.SendPinOkAsync(app, template, To);
        await MessagesAsync(client, pinId, 1);

        await server.RestartAsync();
        client = server.Client();
        time.SetUtcNow(Start.AddSeconds(45));

        Assert.Equal(["1:whatsapp", "2:sms"], Steps(await MessagesAsync(client, pinId, 2)));
        await Task.Delay(600);
        Assert.Equal(2, (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json.AsArray().Count);
    }

    [Fact]
    public async Task NewPinPerStep_EachStepCarriesANewPin_AndTheEarlierOneStopsMatching()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time,
            """{"steps":[{"channel":"sms","waitSeconds":30},{"channel":"sms"}],"newPinPerStep":true}""");
        await using TestServer _ = server;
        const string To = "41793027141";
        string pinId = await client.SendPinOkAsync(app, template, To);
        string firstPin = await server.Deliveries.WaitForPinAsync(To);

        time.SetUtcNow(Start.AddSeconds(30));
        string secondPin = await server.Deliveries.WaitForPinAsync(To, 2);

        Assert.NotEqual(firstPin, secondPin);
        Reply old = await client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{firstPin}}"}""");
        Assert.Equal("WRONG_PIN", old.Json["pinError"]!.GetValue<string>());
        Reply fresh = await client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{secondPin}}"}""");
        Assert.True(fresh.Json["verified"]!.GetValue<bool>(), fresh.ToString());
    }

    [Fact]
    public async Task Steps_CountAgainstThePerNumberLimit_AndAStepOverItIsSkipped()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time, WhatsAppSmsVoice,
            Api.RoomyApplication(phoneLimit: "2/1h"));
        await using TestServer _ = server;
        const string To = "41793027151";
        string pinId = await client.SendPinOkAsync(app, template, To);
        await server.Deliveries.WaitForLineAsync(To);

        time.SetUtcNow(Start.AddSeconds(30));
        await server.Deliveries.WaitForLineAsync(To, 2);
        time.SetUtcNow(Start.AddSeconds(90));
        await Poll.UntilAsync(
            () => client.GetJsonAsync($"/opentfa/v1/pins/{pinId}"),
            r => r.Json["workflow"]!["stepsRun"]!.GetValue<int>() == 3,
            TimeSpan.FromSeconds(10), r => $"step 3 was never decided: {r}");

        Assert.Equal(["1:whatsapp", "2:sms"], Steps(await MessagesAsync(client, pinId, 2)));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}")).Status);
    }

    [Fact]
    public async Task AStepTheProtectionRulesRefuse_IsSkipped_AndTheNextFollowsAtOnce()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time,
            """{"steps":[{"channel":"voice","waitSeconds":30},{"channel":"sms","waitSeconds":300},{"channel":"voice"}]}""");
        await using TestServer _ = server;
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"numberTypes":{"refuse":["FIXED_LINE"]}}""")).Status);
        const string Landline = "41446681800";

        // A landline may take a call but no SMS: the SMS step is refused, and the second call does not wait 300 s.
        string pinId = await client.SendPinOkAsync(app, template, Landline);
        await server.Deliveries.WaitForLineAsync(Landline);
        time.SetUtcNow(Start.AddSeconds(30));

        Assert.StartsWith("[opentfa:log] voice ", await server.Deliveries.WaitForLineAsync(Landline, 2), StringComparison.Ordinal);
        Assert.Equal(["1:voice", "3:voice"], Steps(await MessagesAsync(client, pinId, 2)));
        Assert.Equal(3, (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}")).Json["workflow"]!["stepsRun"]!.GetValue<int>());
        Assert.DoesNotContain(server.Deliveries.Lines, l => l.StartsWith("[opentfa:log] sms ", StringComparison.Ordinal) && l.Contains(Landline, StringComparison.Ordinal));
    }

    [Fact]
    public async Task InfobipNumberCheck_StillAnswers_AndAnImpossibleNumberStartsNoWorkflow()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time);
        await using TestServer _ = server;

        Reply impossible = await client.SendPinAsync(app, template, "99912345678");
        Reply plausible = await client.SendPinAsync(app, template, "41793027181");

        Assert.Equal(("NC_DESTINATION_NOT_REACHABLE", "MESSAGE_NOT_SENT"), (impossible.Str("ncStatus"), impossible.Str("smsStatus")));
        Assert.Equal(("NC_NOT_CONFIGURED", "MESSAGE_SENT"), (plausible.Str("ncStatus"), plausible.Str("smsStatus")));
        time.SetUtcNow(Start.AddSeconds(30));
        Assert.Equal(["1:whatsapp", "2:sms"], Steps(await MessagesAsync(client, plausible.Str("pinId"), 2)));
        JsonNode story = (await client.GetJsonAsync($"/opentfa/v1/pins/{impossible.Str("pinId")}")).Json;
        Assert.Null(story["workflow"]);
        Assert.Empty(story["messages"]!.AsArray());
    }

    [Fact]
    public async Task InfobipResend_GoesOnTheChannelAskedFor_AndTheWorkflowGoesOn()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time);
        await using TestServer _ = server;
        const string To = "41793027161";
        string pinId = await client.SendPinOkAsync(app, template, To);
        await server.Deliveries.WaitForLineAsync(To);

        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend/voice", "{}")).Status);
        Assert.StartsWith("[opentfa:log] voice ", await server.Deliveries.WaitForLineAsync(To, 2), StringComparison.Ordinal);
        time.SetUtcNow(Start.AddSeconds(30));

        Assert.Equal(["1:whatsapp", ":voice", "2:sms"], Steps(await MessagesAsync(client, pinId, 3)));
    }

    [Fact]
    public async Task Analytics_ReportEachStep_AndWhereUsersVerified()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time,
            """{"steps":[{"channel":"whatsapp","waitSeconds":30},{"channel":"sms"}]}""");
        await using TestServer _ = server;
        string onWhatsApp = await client.SendPinOkAsync(app, template, "41793027171");
        string needsSms = await client.SendPinOkAsync(app, template, "41793027172");
        await client.SendPinOkAsync(app, template, "41793027173");
        string pin1 = await server.Deliveries.WaitForPinAsync("41793027171");
        await client.PostJsonAsync($"/2fa/2/pin/{onWhatsApp}/verify", $$"""{"pin":"{{pin1}}"}""");

        time.SetUtcNow(Start.AddSeconds(30));
        string pin2 = await server.Deliveries.WaitForPinAsync("41793027172", 2);
        await server.Deliveries.WaitForLineAsync("41793027173", 2);
        time.SetUtcNow(Start.AddSeconds(40));
        await client.PostJsonAsync($"/2fa/2/pin/{needsSms}/verify", $$"""{"pin":"{{pin2}}"}""");

        JsonNode report = (await client.GetJsonAsync($"/opentfa/v1/analytics?applicationId={app}&from={Start.AddMinutes(-1).ToUnixTimeMilliseconds()}&to={Start.AddMinutes(1).ToUnixTimeMilliseconds()}")).Json;
        Dictionary<string, JsonNode> steps = report["byStep"]!.AsArray().ToDictionary(g => g!["key"]!.GetValue<string>(), g => g!["figures"]!);
        Assert.Equal(["1:whatsapp", "2:sms"], steps.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((3, 1), (steps["1:whatsapp"]["sent"]!.GetValue<int>(), steps["1:whatsapp"]["verified"]!.GetValue<int>()));
        Assert.Equal((2, 1), (steps["2:sms"]["sent"]!.GetValue<int>(), steps["2:sms"]["verified"]!.GetValue<int>()));
        Assert.Equal(0.5, steps["2:sms"]["conversion"]!.GetValue<double>());
        Assert.Equal(10, steps["2:sms"]["medianVerificationSeconds"]!.GetValue<double>());
    }

    [Fact]
    public async Task WorkflowEndpoint_ValidatesEachStep_ByPath()
    {
        var time = new FakeTimeProvider(Start);
        (TestServer server, HttpClient client, string app, string template) = await StartAsync(time);
        await using TestServer _ = server;
        string path = $"/opentfa/v1/applications/{app}/workflow";

        JsonNode stored = (await client.GetJsonAsync(path)).Json;
        Assert.Equal("""[{"channel":"whatsapp","waitSeconds":30},{"channel":"sms","waitSeconds":60},{"channel":"voice"}]""", stored["steps"]!.ToJsonString());
        Assert.False(stored["newPinPerStep"]!.GetValue<bool>());

        Reply bad = await client.PutJsonAsync(path, """{"steps":[{"channel":"fax","waitSeconds":30},{"channel":"sms"},{"channel":"voice","waitSeconds":0}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        JsonNode errors = bad.Json["errors"]!;
        Assert.NotNull(errors["steps[0].channel"]);
        Assert.NotNull(errors["steps[1].waitSeconds"]);
        Assert.Null(errors["steps[2].waitSeconds"]);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutJsonAsync(path, """{"steps":[]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutJsonAsync(path,
            """{"steps":[{"channel":"sms","waitSeconds":1},{"channel":"sms","waitSeconds":1},{"channel":"sms","waitSeconds":1},{"channel":"sms","waitSeconds":1},{"channel":"sms","waitSeconds":1},{"channel":"sms"}]}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutJsonAsync(path, """{"steps":[{"channel":"sms","waitSeconds":3601},{"channel":"sms"}]}""")).Status);
        Assert.Equal(stored.ToJsonString(), (await client.GetJsonAsync(path)).Json.ToJsonString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/opentfa/v1/applications/00000000000000000000000000000000/workflow")).Status);
        string sendKey = await client.CreateKeyAsync("\"2fa:pin:send\"");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync(path, sendKey)).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync(path)).Status);
    }
}
