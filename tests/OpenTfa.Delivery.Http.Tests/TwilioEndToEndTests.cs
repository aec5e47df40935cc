using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>
/// Voice and SMS PINs through the real server to a listener standing in for Twilio: the exact
/// Calls and Messages requests, then Twilio's signed callbacks back into the server.
/// </summary>
public sealed partial class TwilioEndToEndTests : IAsyncLifetime
{
    private const string Sid = "AC00000000000000000000000000000001";
    private const string Token = "twilio-auth-token-0001";
    private FakeProvider _twilio = null!;
    private TestServer _server = null!;
    private HttpClient _client = null!;
    private int _calls;

    public async Task InitializeAsync()
    {
        _twilio = await FakeProvider.StartAsync();
        _twilio.Answer(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal)
            ? new FakeAnswer(201, $$"""{"sid":"CA{{Interlocked.Increment(ref _calls):D32}}","status":"queued","direction":"outbound-api"}""")
            : new FakeAnswer(201, $$"""{"sid":"SM{{Guid.NewGuid():N}}","status":"queued"}"""));
        int port = FreePort.Next();
        string self = $"http://127.0.0.1:{port}";
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:call:Type"] = "twilio-voice",
            ["OpenTfa:Channels:call:AccountSid"] = Sid,
            ["OpenTfa:Channels:call:AuthToken"] = Token,
            ["OpenTfa:Channels:call:From"] = "+41445550000",
            ["OpenTfa:Channels:call:BaseUrl"] = _twilio.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:call:CallbackBaseUrl"] = self,
            ["OpenTfa:Channels:text:Type"] = "twilio-sms",
            ["OpenTfa:Channels:text:AccountSid"] = Sid,
            ["OpenTfa:Channels:text:AuthToken"] = Token,
            ["OpenTfa:Channels:text:BaseUrl"] = _twilio.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:text:CallbackBaseUrl"] = self,
            ["OpenTfa:Channels:dev:Type"] = "log",
            ["OpenTfa:Routes:Voice:0"] = "call",
            ["OpenTfa:Routes:Sms:0"] = "text",
            ["OpenTfa:Routes:Email:0"] = "dev",
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "5",
        }, port: port);
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _twilio.DisposeAsync();
    }

    private string Self => _server.BaseAddress.AbsoluteUri.TrimEnd('/');

    [GeneratedRegex("""^<\?xml version="1.0" encoding="UTF-8"\?><Response><Gather input="dtmf" numDigits="1" finishOnKey="#" timeout="5" action="(?<action>[^"]+)" method="POST">(?<say><Say language="de-DE" voice="Polly.Marlene"><prosody rate="80%">Ihr Code lautet (?<pin>[0-9], [0-9], [0-9], [0-9], [0-9], [0-9])\.</prosody></Say>)<Pause length="1"/>\k<say></Gather></Response>$""")]
    private static partial Regex GatherTwiml();

    private async Task<(string App, string Template)> TemplateAsync(string template)
    {
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        return (app, (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages", template))["messageId"]!.GetValue<string>());
    }

    [Fact]
    public async Task VoicePin_PlacesTheDocumentedCall_ReadsThePinTwice_RepeatsOnTheKeys_AndTheCallStatusDeliversIt()
    {
        (string app, string template) = await TemplateAsync(
            """{"messageText":"Ihr Code lautet {{pin}}","pinLength":6,"pinType":"NUMERIC","language":"de","voiceName":"Marlene","speechRate":0.8,"repeatDTMF":"1#"}""");

        JsonNode sent = await _client.PostOkAsync("/2fa/2/pin/voice", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026727"}""");
        Assert.Equal("PENDING_ACCEPTED", sent["callStatus"]!.GetValue<string>());
        string pinId = sent["pinId"]!.GetValue<string>();

        RecordedRequest call = await _twilio.WaitForRequestAsync(r => r.Path.EndsWith("/Calls.json", StringComparison.Ordinal));
        Assert.Equal("POST", call.Method);
        Assert.Equal($"/2010-04-01/Accounts/{Sid}/Calls.json", call.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Sid}:{Token}")), call.Header("Authorization"));
        Assert.Equal(["To", "From", "Twiml", "StatusCallback", "StatusCallbackMethod"], call.Form.Select(p => p.Key));
        Assert.Equal("+41793026727", call.Form[0].Value);
        Assert.Equal("+41445550000", call.Form[1].Value);
        Assert.Equal($"{Self}/opentfa/v1/callbacks/twilio/call", call.Form[3].Value);
        Assert.Equal("POST", call.Form[4].Value);
        Match twiml = GatherTwiml().Match(call.Form[2].Value);
        Assert.True(twiml.Success, call.Form[2].Value);
        string pin = twiml.Groups["pin"].Value.Replace(", ", string.Empty, StringComparison.Ordinal);
        string action = WebUtility.HtmlDecode(twiml.Groups["action"].Value);
        Assert.StartsWith($"{Self}/opentfa/v1/callbacks/twilio/call/gather?state=", action, StringComparison.Ordinal);
        Assert.DoesNotContain(pin, action, StringComparison.Ordinal);

        JsonNode submitted = await _client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal("call", submitted["channelName"]!.GetValue<string>());
        string callSid = submitted["channelMessageId"]!.GetValue<string>();
        Assert.StartsWith("CA", callSid, StringComparison.Ordinal);

        // The callee presses 1#: Twilio posts Digits=1 to the action; the answer says the PIN again.
        using var anonymous = new HttpClient();
        KeyValuePair<string, string>[] pressed = [new("AccountSid", Sid), new("CallSid", callSid), new("Digits", "1"), new("FinishedOnKey", "#")];
        using HttpResponseMessage replay = await anonymous.SendAsync(Signing.TwilioPost(action, Token, pressed));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("application/xml", replay.Content.Headers.ContentType!.MediaType);
        Match again = GatherTwiml().Match(await replay.Content.ReadAsStringAsync());
        Assert.True(again.Success);
        Assert.Equal(twiml.Groups["say"].Value, again.Groups["say"].Value);

        // Other keys end the call; a forged signature is refused.
        using HttpResponseMessage other = await anonymous.SendAsync(Signing.TwilioPost(action, Token, [new("CallSid", callSid), new("Digits", "2")]));
        Assert.Equal("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>", await other.Content.ReadAsStringAsync());
        using HttpResponseMessage forged = await anonymous.SendAsync(Signing.TwilioPost(action, "not-the-token", pressed));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        // The call's final status: completed delivers the message.
        using HttpResponseMessage completed = await anonymous.SendAsync(Signing.TwilioPost($"{Self}/opentfa/v1/callbacks/twilio/call", Token,
            [new("AccountSid", Sid), new("CallSid", callSid), new("CallStatus", "completed"), new("CallDuration", "21")]));
        Assert.Equal(HttpStatusCode.NoContent, completed.StatusCode);
        JsonNode delivered = await _client.WaitForMessageStateAsync(pinId, "DELIVERED");
        Assert.NotNull(delivered["deliveredAt"]);

        Assert.True((await _client.PostOkAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{pin}}"}"""))["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task VoicePin_WithoutRepeatKeys_IsSaidTwiceWithAPause_InTheDefaultVoice()
    {
        (string app, string template) = await TemplateAsync("""{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","language":"en"}""");

        await _client.PostOkAsync("/2fa/2/pin/voice", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026728"}""");

        RecordedRequest call = await _twilio.WaitForRequestAsync(r => r.Form.Any(p => p.Key == "To" && p.Value == "+41793026728"));
        Assert.Matches(
            """^<\?xml version="1.0" encoding="UTF-8"\?><Response><Say language="en-US">Your pin is ([0-9]), ([0-9]), ([0-9]), ([0-9])\.</Say><Pause length="1"/><Say language="en-US">Your pin is \1, \2, \3, \4\.</Say></Response>$""",
            call.Form.Single(p => p.Key == "Twiml").Value);
    }

    [Fact]
    public async Task SmsPin_PostsToMessages_AndOnlyACorrectlySignedStatusCallbackDeliversIt()
    {
        (string app, string template) = await TemplateAsync("""{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","senderId":"Acme"}""");

        JsonNode sent = await _client.PostOkAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026729"}""");
        Assert.Equal("MESSAGE_SENT", sent["smsStatus"]!.GetValue<string>());
        string pinId = sent["pinId"]!.GetValue<string>();

        RecordedRequest message = await _twilio.WaitForRequestAsync(r => r.Path.EndsWith("/Messages.json", StringComparison.Ordinal) && r.Form.Any(p => p.Value == "+41793026729"));
        Assert.Equal($"/2010-04-01/Accounts/{Sid}/Messages.json", message.Path);
        Assert.Equal(["To", "From", "Body", "StatusCallback"], message.Form.Select(p => p.Key));
        Assert.Equal("Acme", message.Form[1].Value);
        Assert.Matches("^Your pin is [0-9]{4}$", message.Form[2].Value);
        string callback = message.Form[3].Value;
        Assert.Equal($"{Self}/opentfa/v1/callbacks/twilio/text", callback);

        string sid = (await _client.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();
        KeyValuePair<string, string>[] delivered = [new("AccountSid", Sid), new("ApiVersion", "2010-04-01"), new("From", "Acme"), new("MessageSid", sid), new("MessageStatus", "delivered"), new("SmsSid", sid), new("SmsStatus", "delivered"), new("To", "+41793026729")];
        using var anonymous = new HttpClient();

        using HttpResponseMessage wrong = await anonymous.SendAsync(Signing.TwilioPost(callback, Token, delivered, signature: Signing.Twilio("wrong-token", callback, delivered)));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using HttpResponseMessage unsigned = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Post, callback) { Content = new FormUrlEncodedContent(delivered) });
        Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        Assert.Equal("SUBMITTED", (await _client.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray()[0]!["state"]!.GetValue<string>());

        using HttpResponseMessage right = await anonymous.SendAsync(Signing.TwilioPost(callback, Token, delivered));
        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        await _client.WaitForMessageStateAsync(pinId, "DELIVERED");
    }

    [Fact]
    public async Task SignedStatusCallback_IsAccepted_WhileForgeriesAndWrongKeysFromTheSameAddressAreThrottled()
    {
        (string app, string template) = await TemplateAsync("""{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","senderId":"Acme"}""");
        string pinId = (await _client.PostOkAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026731"}"""))["pinId"]!.GetValue<string>();
        string sid = (await _client.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();
        string callback = $"{Self}/opentfa/v1/callbacks/twilio/text";
        KeyValuePair<string, string>[] delivered = [new("AccountSid", Sid), new("MessageSid", sid), new("MessageStatus", "delivered"), new("To", "+41793026731")];
        using var anonymous = new HttpClient();
        using HttpClient guesser = _server.Client("otf_0123456789abcdef_a-wrong-secret-a-wrong-secret-a-wrong-secret-aa");

        var refusals = new List<HttpStatusCode>();
        for (int i = 0; i < 10; i++)
        {
            using HttpResponseMessage forged = await anonymous.SendAsync(Signing.TwilioPost(callback, Token, delivered, signature: Signing.Twilio("not-the-token", callback, delivered)));
            using HttpResponseMessage wrongKey = await guesser.GetAsync(new Uri("/2fa/2/applications", UriKind.Relative));
            refusals.Add(forged.StatusCode);
            refusals.Add(wrongKey.StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, refusals);
        Assert.All(refusals, s => Assert.True(s is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, s.ToString()));
        using HttpResponseMessage right = await anonymous.SendAsync(Signing.TwilioPost(callback, Token, delivered));
        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        await _client.WaitForMessageStateAsync(pinId, "DELIVERED");
    }

    [Fact]
    public async Task SmsPin_UndeliveredStatus_FailsTheMessage_WithTwiliosErrorCode()
    {
        (string app, string template) = await TemplateAsync("""{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","senderId":"Acme"}""");
        string pinId = (await _client.PostOkAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026730"}"""))["pinId"]!.GetValue<string>();
        string sid = (await _client.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();

        using var anonymous = new HttpClient();
        using HttpResponseMessage response = await anonymous.SendAsync(Signing.TwilioPost($"{Self}/opentfa/v1/callbacks/twilio/text", Token,
            [new("MessageSid", sid), new("MessageStatus", "undelivered"), new("ErrorCode", "30003")]));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        JsonNode failed = await _client.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Equal("Twilio: undelivered (error 30003)", failed["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Callback_ForAnUnknownChannel_IsNotFound_WhileTheApiStillNeedsAKey()
    {
        using var anonymous = new HttpClient();
        using HttpResponseMessage response = await anonymous.PostAsync($"{Self}/opentfa/v1/callbacks/twilio/nope", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using HttpResponseMessage api = await anonymous.GetAsync($"{Self}/opentfa/v1/channels");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }
}
