using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>Voice PINs through the real server to a listener standing in for Vonage's Voice API.</summary>
public sealed partial class VonageEndToEndTests : IAsyncLifetime
{
    private const string ApplicationId = "aaaaaaaa-bbbb-cccc-dddd-0123456789ab";
    private readonly RSA _key = RSA.Create(2048);
    private FakeProvider _vonage = null!;
    private TestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _vonage = await FakeProvider.StartAsync();
        _vonage.Answer(_ => new FakeAnswer(201, $$"""{"uuid":"{{Guid.NewGuid()}}","status":"started","direction":"outbound","conversation_uuid":"CON-{{Guid.NewGuid()}}"}"""));
        int port = FreePort.Next();
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:vcall:Type"] = "vonage-voice",
            ["OpenTfa:Channels:vcall:ApplicationId"] = ApplicationId,
            ["OpenTfa:Channels:vcall:PrivateKey"] = _key.ExportPkcs8PrivateKeyPem(),
            ["OpenTfa:Channels:vcall:From"] = "41445550000",
            ["OpenTfa:Channels:vcall:Premium"] = "true",
            ["OpenTfa:Channels:vcall:BaseUrl"] = _vonage.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:vcall:CallbackBaseUrl"] = $"http://127.0.0.1:{port}",
            ["OpenTfa:Channels:dev:Type"] = "log",
            ["OpenTfa:Routes:Voice:0"] = "vcall",
            ["OpenTfa:Routes:Sms:0"] = "dev",
            ["OpenTfa:Routes:Email:0"] = "dev",
        }, port: port);
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _vonage.DisposeAsync();
        _key.Dispose();
    }

    [GeneratedRegex("^Your pin is (?<pin>[0-9], [0-9], [0-9], [0-9], [0-9])\\.$")]
    private static partial Regex Spoken();

    [Fact]
    public async Task VoicePin_CreatesTheCallWithAnRs256Jwt_AndATalkAndInputNcco_ThatRepeatsOnTheKeys()
    {
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        string template = (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages",
            """{"messageText":"Your pin is {{pin}}","pinLength":5,"pinType":"NUMERIC","language":"en","voiceName":"2","repeatDTMF":"1#"}"""))["messageId"]!.GetValue<string>();
        DateTimeOffset before = DateTimeOffset.UtcNow;

        JsonNode sent = await _client.PostOkAsync("/2fa/2/pin/voice", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"+41 79 302 67 27"}""");
        Assert.Equal("PENDING_ACCEPTED", sent["callStatus"]!.GetValue<string>());

        RecordedRequest call = await _vonage.WaitForRequestAsync(r => r.Path == "/v1/calls");
        Assert.Equal("POST", call.Method);
        Assert.Equal("application/json", call.Header("Content-Type"));

        // The JWT: RS256 over the application's key, with the documented claims.
        string jwt = call.Header("Authorization")!["Bearer ".Length..];
        string[] parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using JsonDocument header = JsonDocument.Parse(FromBase64Url(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        using JsonDocument claims = JsonDocument.Parse(FromBase64Url(parts[1]));
        Assert.Equal(ApplicationId, claims.RootElement.GetProperty("application_id").GetString());
        long iat = claims.RootElement.GetProperty("iat").GetInt64();
        Assert.InRange(iat, before.ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal(iat + 900, claims.RootElement.GetProperty("exp").GetInt64());
        Assert.True(Guid.TryParse(claims.RootElement.GetProperty("jti").GetString(), out _));

        // The body: phone endpoints and the NCCO.
        JsonNode body = JsonNode.Parse(call.Body)!;
        Assert.Equal("""[{"type":"phone","number":"41793026727"}]""", body["to"]!.ToJsonString());
        Assert.Equal("""{"type":"phone","number":"41445550000"}""", body["from"]!.ToJsonString());
        JsonArray ncco = body["ncco"]!.AsArray();
        Assert.Equal(2, ncco.Count);
        JsonNode talk = ncco[0]!;
        Match spoken = Spoken().Match(talk["text"]!.GetValue<string>());
        Assert.True(spoken.Success, talk.ToJsonString());
        Assert.Equal(
            $$"""{"action":"talk","text":"Your pin is {{spoken.Groups["pin"].Value}}.","language":"en-US","style":2,"premium":true,"loop":2,"bargeIn":true}""",
            talk.ToJsonString());
        JsonNode input = ncco[1]!;
        Assert.Equal("input", input["action"]!.GetValue<string>());
        Assert.Equal("""["dtmf"]""", input["type"]!.ToJsonString());
        Assert.Equal("""{"maxDigits":1,"submitOnHash":true,"timeOut":5}""", input["dtmf"]!.ToJsonString());
        Assert.Equal("POST", input["eventMethod"]!.GetValue<string>());
        string eventUrl = input["eventUrl"]!.AsArray().Single()!.GetValue<string>();
        Assert.StartsWith($"{_server.BaseAddress.AbsoluteUri.TrimEnd('/')}/opentfa/v1/callbacks/vonage/vcall/input?state=", eventUrl, StringComparison.Ordinal);

        string pinId = sent["pinId"]!.GetValue<string>();
        JsonNode submitted = await _client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal("vcall", submitted["channelName"]!.GetValue<string>());
        Assert.True(Guid.TryParse(submitted["channelMessageId"]!.GetValue<string>(), out _));

        // The callee presses 1#: Vonage posts the input event; the answer is the NCCO again.
        using var anonymous = new HttpClient();
        using HttpResponseMessage replay = await anonymous.PostAsync(eventUrl, new StringContent(
            """{"speech":{"results":[]},"dtmf":{"digits":"1","timed_out":false},"from":"41793026727","to":"41445550000","uuid":"u-1","conversation_uuid":"CON-1","timestamp":"2026-01-01T00:00:00.000Z"}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        JsonArray again = JsonNode.Parse(await replay.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(talk.ToJsonString(), again[0]!.ToJsonString());

        using HttpResponseMessage other = await anonymous.PostAsync(eventUrl, new StringContent("""{"dtmf":{"digits":"9","timed_out":false},"uuid":"u-1"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, other.StatusCode);

        string forged = eventUrl[..^4] + (eventUrl[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using HttpResponseMessage tampered = await anonymous.PostAsync(forged, new StringContent("""{"dtmf":{"digits":"1"}}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        string pin = spoken.Groups["pin"].Value.Replace(", ", string.Empty, StringComparison.Ordinal);
        Assert.True((await _client.PostOkAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{pin}}"}"""))["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task VonageErrors_NameTitleAndDetail_AndRefuseTheMessageForGood()
    {
        _vonage.Answer(_ => new FakeAnswer(400, """{"type":"https://developer.nexmo.com/api-errors#bad-request","title":"Bad Request","detail":"Invalid number","instance":"x"}"""));
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        string template = (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC"}"""))["messageId"]!.GetValue<string>();

        string pinId = (await _client.PostOkAsync("/2fa/2/pin/voice", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026731"}"""))["pinId"]!.GetValue<string>();

        JsonNode failed = await _client.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Equal("vcall: Vonage answered 400: Bad Request: Invalid number", failed["error"]!.GetValue<string>());
    }

    private static byte[] FromBase64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }
}
