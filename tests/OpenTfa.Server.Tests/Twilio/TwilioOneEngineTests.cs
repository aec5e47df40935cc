using System.Net;
using System.Text.Json.Nodes;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>A Twilio verification is an OpenTfa PIN: its events, its messages and its verifies are the same on every surface.</summary>
public sealed class TwilioOneEngineTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task CancelAndApprove_PublishPinCanceledAndPinVerified_ToTheApplicationsWebhook()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string appId = TwilioApi.PinId(service);
        HttpClient openTfa = Server.Client();
        string webhook = (await openTfa.PostJsonAsync($"/opentfa/v1/applications/{appId}/webhooks",
            """{"url":"https://hooks.example.com/twilio","events":["pin.canceled","pin.verified"]}""").OkAsync()).Str("webhookId");
        string canceled = (await client.StartedAsync(service, "+41793027601")).Str("sid");
        string approved = (await client.StartedAsync(service, "+41793027602")).Str("sid");
        string checkedSid = (await client.StartedAsync(service, "+41793027603")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027603"));

        await client.PostFormAsync($"/v2/Services/{service}/Verifications/{canceled}", ("Status", "canceled"));
        await client.PostFormAsync($"/v2/Services/{service}/Verifications/{approved}", ("Status", "approved"));
        await client.CheckAsync(service, ("VerificationSid", checkedSid), ("Code", code));

        JsonArray deliveries = await Poll.UntilAsync(
            async () => (await openTfa.GetJsonAsync($"/opentfa/v1/applications/{appId}/webhooks/{webhook}/deliveries").OkAsync()).Json.AsArray(),
            d => d.Count >= 3,
            TimeSpan.FromSeconds(10),
            d => $"three webhook deliveries; so far {d.ToJsonString()}");
        var events = deliveries.Select(d => (Type: d!["eventType"]!.GetValue<string>(), Pin: d["payload"]!["data"]!["pinId"]!.GetValue<string>())).ToHashSet();
        Assert.Equal(3, deliveries.Count);
        Assert.Contains(("pin.canceled", TwilioApi.PinId(canceled)), events);
        Assert.Contains(("pin.verified", TwilioApi.PinId(approved)), events);
        Assert.Contains(("pin.verified", TwilioApi.PinId(checkedSid)), events);
    }

    [Fact]
    public async Task ACodeSentByTwilio_IsVerifiedOnTheInfobipSurface_AndTheVerificationIsThenGone()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027611")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027611"));

        Reply verified = await Server.Client().VerifyAsync(TwilioApi.PinId(sid), code);

        Assert.True(verified.Verified, verified.ToString());
        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.CheckAsync(service, ("To", "+41793027611"), ("Code", code))).IsError(HttpStatusCode.NotFound, 20404);
    }

    [Fact]
    public async Task AnInfobipResend_OfATwilioVerification_IsOneOfItsSendAttempts()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027612")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027612"));

        await Server.Client().PostJsonAsync($"/2fa/2/pin/{TwilioApi.PinId(sid)}/resend", "{}").OkAsync();

        JsonNode fetched = (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Json;
        Assert.Equal(2, fetched["send_code_attempts"]!.AsArray().Count);
        Assert.Equal(code, TwilioApi.CodeIn(await Server.TextToAsync("41793027612", 2)));
        Assert.Equal(2, (await Server.Client().GetJsonAsync($"/opentfa/v1/pins/{TwilioApi.PinId(sid)}/messages").OkAsync()).Json.AsArray().Count);
    }

    [Fact]
    public async Task WrongTwilioChecks_AreVerifiesInThePinsStory_AndTheStatusListShowsItUnverified()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027613")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027613"));
        string wrong = code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

        await client.CheckAsync(service, ("VerificationSid", sid), ("Code", wrong));
        await client.CheckAsync(service, ("VerificationSid", sid), ("Code", wrong));

        HttpClient openTfa = Server.Client();
        JsonNode story = (await openTfa.GetJsonAsync($"/opentfa/v1/pins/{TwilioApi.PinId(sid)}").OkAsync()).Json;
        JsonArray status = (await openTfa.GetJsonAsync($"/2fa/2/applications/{TwilioApi.PinId(service)}/verifications?msisdn=41793027613").OkAsync()).Json["verifications"]!.AsArray();
        Assert.Equal(2, story["verifications"]!.AsArray().Count);
        Assert.Single(story["messages"]!.AsArray());
        Assert.False(Assert.Single(status)!["verified"]!.GetValue<bool>());
        Assert.Equal("pending", (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Str("status"));
    }
}
