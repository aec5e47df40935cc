using System.Net;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Protection;

public sealed class NistAndTestNumberTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly HttpClient _client = fixture.Server.Client();

    [Fact]
    public async Task NistMode_ClampsWhatGetAnswers_AndSendsSixDigitSingleUsePins()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(Api.RoomyApplication(ttl: "1h", allowMultiple: true),
            """{"messageText":"Code {{pin}}","pinType":"ALPHA","pinLength":4}""");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"nist":true}""")).Status);

        Reply got = await _client.GetJsonAsync($"/2fa/2/applications/{app}");
        Assert.Equal("10m", got.Json["configuration"]!["pinTimeToLive"]!.GetValue<string>());
        Assert.False(got.Json["configuration"]!["allowMultiplePinVerifications"]!.GetValue<bool>());

        string pinId = await _client.SendPinOkAsync(app, template, "41793001001");
        string pin = await _server.Deliveries.WaitForPinAsync("41793001001");
        Assert.Matches("^[0-9]{6}$", pin);
        Assert.True((await _client.VerifyAsync(pinId, pin)).Json["verified"]!.GetValue<bool>());
        Assert.Equal("NO_MORE_PIN_ATTEMPTS", (await _client.VerifyAsync(pinId, pin)).Str("pinError"));

        Reply refused = await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection",
            """{"nist":true,"testNumbers":[{"number":"41790000000","pin":"123456","expiresAt":4102444800000}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.NotNull(refused.Json["errors"]!["testNumbers"]);

        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"nist":false}""");
        Assert.Equal("1h", (await _client.GetJsonAsync($"/2fa/2/applications/{app}")).Json["configuration"]!["pinTimeToLive"]!.GetValue<string>());
    }

    [Fact]
    public async Task NistMode_After100ConsecutiveFailures_LocksTheDestinationOutOfVerifySendAndResend_UntilAnAdministratorClearsIt()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 500));
        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"nist":true}""");
        string pinId = await _client.SendPinOkAsync(app, template, "41793001004");
        string pin = await _server.Deliveries.WaitForPinAsync("41793001004");
        string wrong = (pin[0] == '0' ? "1" : "0") + pin[1..];

        for (int i = 0; i < 100; i++)
        {
            Assert.Equal("WRONG_PIN", (await _client.VerifyAsync(pinId, wrong)).Str("pinError"));
        }

        Reply locked = await _client.VerifyAsync(pinId, pin);
        Assert.False(locked.Json["verified"]!.GetValue<bool>());
        Assert.Equal("NO_MORE_PIN_ATTEMPTS", locked.Str("pinError"));
        Assert.Equal(0, locked.Json["attemptsRemaining"]!.GetValue<int>());

        Reply send = await _client.SendPinAsync(app, template, "41793001004");
        Assert.Equal(HttpStatusCode.Forbidden, send.Status);
        Assert.Contains("'nist'", send.ServiceException["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Reply resend = await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, resend.Status);
        Assert.Contains("'nist'", resend.ServiceException["text"]!.GetValue<string>(), StringComparison.Ordinal);

        Reply lockouts = await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts");
        Assert.Equal("*******1004", lockouts.Json[0]!["destination"]!.GetValue<string>());
        Assert.Equal(100, lockouts.Json[0]!["failures"]!.GetValue<int>());
        Assert.True(lockouts.Json[0]!["locked"]!.GetValue<bool>());
        Reply events = await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/events");
        Assert.Equal(3, events.Json["counts"]!.AsArray().Single(c => c!["rule"]!.GetValue<string>() == "nist")!["count"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.SendAsync(HttpMethod.Delete, $"/opentfa/v1/applications/{app}/protection/lockouts/%2B41793001004")).Status);
        Assert.True((await _client.VerifyAsync(pinId, pin)).Json["verified"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.SendAsync(HttpMethod.Delete, $"/opentfa/v1/applications/{app}/protection/lockouts/41793001004")).Status);
        Assert.Empty((await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts")).Json.AsArray());
    }

    [Fact]
    public async Task NistMode_ASuccessfulVerification_StartsTheCountOfFailuresAgain()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(Api.RoomyApplication());
        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"nist":true}""");
        string first = await _client.SendPinOkAsync(app, template, "41793001005");
        string pin = await _server.Deliveries.WaitForPinAsync("41793001005");
        string wrong = (pin[0] == '0' ? "1" : "0") + pin[1..];
        for (int i = 0; i < 3; i++)
        {
            await _client.VerifyAsync(first, wrong);
        }

        Reply counting = await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts?minimumFailures=1");
        Assert.Equal(3, counting.Json[0]!["failures"]!.GetValue<int>());
        Assert.False(counting.Json[0]!["locked"]!.GetValue<bool>());

        Assert.True((await _client.VerifyAsync(first, pin)).Json["verified"]!.GetValue<bool>());
        Assert.Empty((await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts?minimumFailures=1")).Json.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts?minimumFailures=0")).Status);
    }

    [Fact]
    public async Task TestNumber_TakesTheFixedPin_NeverLeaves_AndIsMarkedInItsMessageState()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Assert.Equal(HttpStatusCode.OK, (await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/protection",
            $$"""{"testNumbers":[{"number":"+41 79 300 10 02","pin":"2468","expiresAt":{{DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds()}}},{"number":"41793001003","pin":"1357","expiresAt":1000}]}""")).Status);

        Reply sent = await _client.SendPinAsync(app, template, "41793001002");
        Assert.Equal("MESSAGE_SENT", sent.Str("smsStatus"));
        string pinId = sent.Str("pinId");
        Reply states = await WaitForSubmittedAsync(pinId);
        Assert.Equal("test-number", states.Json[0]!["channelName"]!.GetValue<string>());
        Assert.DoesNotContain(_server.Deliveries.Lines, l => l.Contains("41793001002", StringComparison.Ordinal));
        Assert.True((await _client.VerifyAsync(pinId, "2468")).Json["verified"]!.GetValue<bool>());

        string expired = (await _client.SendPinAsync(app, template, "41793001003")).Str("pinId");
        Assert.Matches("^[0-9]{4}$", await _server.Deliveries.WaitForPinAsync("41793001003"));
        Assert.NotEqual("test-number", (await WaitForSubmittedAsync(expired)).Json[0]!["channelName"]!.GetValue<string>());

        Reply analytics = await _client.GetJsonAsync($"/opentfa/v1/analytics?applicationId={app}");
        Assert.True(analytics.Status == HttpStatusCode.OK, analytics.ToString());
        Assert.Equal(1, analytics.Json["totals"]!["sent"]!.GetValue<int>());
        Assert.Equal(0, analytics.Json["totals"]!["verified"]!.GetValue<int>());
    }

    private async Task<Reply> WaitForSubmittedAsync(string pinId)
    {
        return await Poll.UntilAsync(
            () => _client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages"),
            reply => reply.Json.AsArray().Count > 0 && reply.Json[0]!["state"]!.GetValue<string>() == "SUBMITTED",
            TimeSpan.FromSeconds(5),
            reply => $"message of {pinId} was never submitted: {reply}");
    }
}
