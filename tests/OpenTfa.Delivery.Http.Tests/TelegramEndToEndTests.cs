using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>The fake Telegram gateway and a server whose Telegram route is its <c>telegram</c> channel <c>tg</c>, shared by the tests of one class.</summary>
public sealed class TelegramServerFixture : IAsyncLifetime
{
    /// <summary>A number the fake's checkSendAbility refuses (not on Telegram).</summary>
    public const string NotOnTelegram = "41793020099";

    public TelegramGatewayPeer Gateway { get; private set; } = null!;

    public TestServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Self => Server.BaseAddress.AbsoluteUri.TrimEnd('/');

    public async Task InitializeAsync()
    {
        Gateway = await TelegramGatewayPeer.StartAsync("+" + NotOnTelegram);
        try
        {
            await StartServerAsync();
        }
        catch
        {
            // xunit does not dispose a fixture whose set-up threw: stop the fake that did start.
            await Gateway.DisposeAsync();
            throw;
        }
    }

    private async Task StartServerAsync()
    {
        int port = FreePort.Next();
        Server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:tg:Type"] = "telegram",
            ["OpenTfa:Channels:tg:BaseUrl"] = Gateway.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:tg:AccessToken"] = TelegramGatewayPeer.Token,
            ["OpenTfa:Channels:tg:SenderUsername"] = "@acme_codes",
            ["OpenTfa:Channels:tg:CallbackBaseUrl"] = $"http://127.0.0.1:{port}",
            ["OpenTfa:Channels:dev:Type"] = "log",
            ["OpenTfa:Routes:Telegram:0"] = "tg",
            ["OpenTfa:Routes:Sms:0"] = "dev",
            ["OpenTfa:Routes:Voice:0"] = "dev",
            ["OpenTfa:Routes:Email:0"] = "dev",
        }, port: port);
        Client = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Gateway.DisposeAsync();
    }
}

/// <summary>
/// Telegram PINs through the real server: Core issues a PIN of the Telegram kind, the dispatcher
/// hands its message to the <c>telegram</c> channel, which talks to the fake Gateway API over HTTP,
/// and the fake's signed delivery reports come back through the server's callback endpoint.
/// OpenTfa stays the verifier: the code the gateway carried verifies through <c>/2fa/2</c>.
/// </summary>
public sealed class TelegramEndToEndTests(TelegramServerFixture fixture) : IClassFixture<TelegramServerFixture>
{
    private readonly TelegramGatewayPeer _gateway = fixture.Gateway;
    private readonly HttpClient _client = fixture.Client;

    /// <summary>Issues a PIN of the Telegram kind as every send does (limits, outbox row in the same step); returns its id.</summary>
    private async Task<string> SendAsync(string to, string template = """{"messageText":"Your code is {{pin}}","pinLength":6,"pinType":"NUMERIC"}""")
    {
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        string message = (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages", template))["messageId"]!.GetValue<string>();
        IServiceProvider services = fixture.Server.Services;
        string tenant = (await services.GetRequiredService<ITenantStore>().FindKeyAsync("bootstrap", CancellationToken.None))!.TenantId;
        Result<SendPinOutcome> sent = await services.GetRequiredService<PinService>().SendAsync(
            tenant, new SendPinCommand(ChannelKind.Telegram, app, message, to, null, null, false), CancellationToken.None);
        Assert.True(sent.IsSuccess, sent.IsSuccess ? null : sent.Error.Text);
        return sent.Value.PinId;
    }

    private async Task<JsonNode> MessageAsync(string pinId) =>
        (await _client.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray().Single()!;

    [Fact]
    public async Task TelegramPin_IsCheckedThenSentFreeWithOpenTfasCode_ASignedDeliveredReportDeliversIt_AndOpenTfaVerifiesTheCode()
    {
        string pinId = await SendAsync("41793026727");

        JsonNode submitted = await _client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal("tg", submitted["channelName"]!.GetValue<string>());
        Assert.Equal("telegram", submitted["channel"]!.GetValue<string>());
        JsonNode check = Assert.Single(await _gateway.CallsAsync("checkSendAbility", "+41793026727"));
        JsonNode send = Assert.Single(await _gateway.CallsAsync("sendVerificationMessage", "+41793026727"));
        string requestId = check["response"]!["body"]!["result"]!["request_id"]!.GetValue<string>();

        Assert.Equal($"Bearer {TelegramGatewayPeer.Token}", send["headers"]!["authorization"]!.GetValue<string>());
        Assert.StartsWith("application/json", send["headers"]!["content-type"]!.GetValue<string>(), StringComparison.Ordinal);
        JsonObject body = JsonNode.Parse(send["body"]!.GetValue<string>())!.AsObject();
        Assert.Equal(["phone_number", "request_id", "code", "ttl", "callback_url", "payload", "sender_username"], body.Select(p => p.Key));
        Assert.Equal("+41793026727", body["phone_number"]!.GetValue<string>());
        Assert.Equal(requestId, body["request_id"]!.GetValue<string>());
        Assert.Matches("^[0-9]{6}$", body["code"]!.GetValue<string>());
        Assert.InRange(body["ttl"]!.GetValue<int>(), 880, 900); // the application's 15 minutes, less the moments before the send
        Assert.Equal($"{fixture.Self}/opentfa/v1/callbacks/telegram/tg", body["callback_url"]!.GetValue<string>());
        Assert.Equal(submitted["messageId"]!.GetValue<string>(), body["payload"]!.GetValue<string>());
        Assert.Equal("acme_codes", body["sender_username"]!.GetValue<string>());
        Assert.True(send["response"]!["body"]!["ok"]!.GetValue<bool>());
        Assert.Null(send["response"]!["body"]!["result"]!["remaining_balance"]); // the send named the paid request: no second fee
        Assert.Equal(requestId, submitted["channelMessageId"]!.GetValue<string>());

        Assert.Equal(200, await _gateway.EmitAsync(requestId, "sent"));
        Assert.Equal("SUBMITTED", (await MessageAsync(pinId))["state"]!.GetValue<string>());
        Assert.Equal(200, await _gateway.EmitAsync(requestId, "delivered"));
        JsonNode delivered = await _client.WaitForMessageStateAsync(pinId, "DELIVERED");
        Assert.NotNull(delivered["deliveredAt"]);
        Assert.Equal(200, await _gateway.EmitAsync(requestId, "read"));
        Assert.Equal("DELIVERED", (await MessageAsync(pinId))["state"]!.GetValue<string>());

        // The code in the user's Telegram is OpenTfa's PIN, and OpenTfa verifies it (the gateway is never asked).
        string code = (await _gateway.RequestAsync(requestId))["code"]!.GetValue<string>();
        Assert.Equal(code, body["code"]!.GetValue<string>());
        JsonNode verified = await _client.PostOkAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{code}}"}""");
        Assert.True(verified["verified"]!.GetValue<bool>());
        Assert.Empty(await _gateway.CallsAsync("checkVerificationStatus", "+41793026727"));
    }

    [Fact]
    public async Task NumberNotOnTelegram_FailsPermanentlyAtTheCheck_WithTheGatewaysError_AndNothingIsSent()
    {
        string pinId = await SendAsync(TelegramServerFixture.NotOnTelegram);

        JsonNode failed = await _client.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Equal("tg: Telegram's gateway answered checkSendAbility with PHONE_NUMBER_NOT_AVAILABLE", failed["error"]!.GetValue<string>());
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        Assert.Single(await _gateway.CallsAsync("checkSendAbility", "+" + TelegramServerFixture.NotOnTelegram));
        Assert.Empty(await _gateway.CallsAsync("sendVerificationMessage", "+" + TelegramServerFixture.NotOnTelegram));
    }

    [Fact]
    public async Task FloodControlOnTheSend_IsRetried_WithTheRequestIdAlreadyPaid_AndNoSecondCheck()
    {
        await _gateway.FailAsync("sendVerificationMessage", "FLOOD_WAIT_5", 429, times: 2);
        string pinId = await SendAsync("41793026728");

        JsonNode submitted = await _client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal(3, submitted["attempts"]!.GetValue<int>());
        JsonNode check = Assert.Single(await _gateway.CallsAsync("checkSendAbility", "+41793026728"));
        IReadOnlyList<JsonNode> sends = await _gateway.CallsAsync("sendVerificationMessage", "+41793026728");
        Assert.Equal(3, sends.Count);
        string requestId = check["response"]!["body"]!["result"]!["request_id"]!.GetValue<string>();
        Assert.All(sends, s => Assert.Equal(requestId, s["params"]!["request_id"]!.GetValue<string>()));
        Assert.Equal(["FLOOD_WAIT_5", "FLOOD_WAIT_5", null], sends.Select(s => s["response"]!["body"]!["error"]?.GetValue<string>()));
        Assert.Equal(requestId, submitted["channelMessageId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServerErrorsOfTheCheck_AreTemporary_AndTheMessageGoesOutOnceTheGatewayRecovers()
    {
        await _gateway.FailAsync("checkSendAbility", "INTERNAL_ERROR", 500, times: 2);
        string pinId = await SendAsync("41793026729");

        JsonNode submitted = await _client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal(3, submitted["attempts"]!.GetValue<int>());
        Assert.Equal(3, (await _gateway.CallsAsync("checkSendAbility", "+41793026729")).Count);
        Assert.Single(await _gateway.CallsAsync("sendVerificationMessage", "+41793026729"));
    }

    [Fact]
    public async Task ForgedUnsignedOrStaleReports_AreRefused_AndChangeNothing()
    {
        string pinId = await SendAsync("41793026730");
        string requestId = (await _client.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();

        Assert.Equal(403, await _gateway.EmitAsync(requestId, "delivered", token: "not-the-token"));
        Assert.Equal(403, await _gateway.EmitAsync(requestId, "delivered", withoutSignature: true));
        Assert.Equal(403, await _gateway.EmitAsync(requestId, "expired", timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 330));
        Assert.Equal(403, await _gateway.EmitAsync(requestId, "expired", timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 330));
        JsonNode message = await MessageAsync(pinId);
        Assert.Equal("SUBMITTED", message["state"]!.GetValue<string>());
        Assert.Null(message["deliveredAt"]);

        Assert.Equal(200, await _gateway.EmitAsync(requestId, "delivered", timestamp: DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 240));
        await _client.WaitForMessageStateAsync(pinId, "DELIVERED");
    }

    [Fact]
    public async Task ExpiredReport_FailsTheMessage_SayingTheCodeWasNotRead()
    {
        string pinId = await SendAsync("41793026731");
        string requestId = (await _client.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();

        Assert.Equal(200, await _gateway.EmitAsync(requestId, "expired"));

        JsonNode failed = await _client.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Equal("Telegram: expired (deleted unread when its ttl ran out)", failed["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"messageText":"Your code is {{pin}}","pinLength":6,"pinType":"ALPHA"}""", "41793026732", "and this PIN has 6 characters, not all digits")]
    [InlineData("""{"messageText":"Your code is {{pin}}","pinLength":10,"pinType":"NUMERIC"}""", "41793026733", "and this PIN has 10 characters;")]
    public async Task PinTheGatewayCannotCarry_FailsPermanently_BeforeAnyCall(string template, string to, string says)
    {
        string pinId = await SendAsync(to, template);

        JsonNode failed = await _client.WaitForMessageStateAsync(pinId, "FAILED");
        string error = failed["error"]!.GetValue<string>();
        Assert.StartsWith("tg: Telegram's gateway carries codes of 4 to 8 digits only", error, StringComparison.Ordinal);
        Assert.Contains(says, error, StringComparison.Ordinal);
        Assert.Empty(await _gateway.CallsAsync("+" + to));
    }

    [Fact]
    public async Task RefusedReports_CountAgainstTheAuthFailureThrottle_WhileASignedReportStillPasses()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:tg:Type"] = "telegram",
            ["OpenTfa:Channels:tg:BaseUrl"] = _gateway.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:tg:AccessToken"] = TelegramGatewayPeer.Token,
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "3",
        });
        Uri callback = new(server.BaseAddress, "/opentfa/v1/callbacks/telegram/tg");
        using var anonymous = new HttpClient();
        byte[] body = """{"request_id":"not-sent-yet","delivery_status":{"status":"delivered","updated_at":1796375519}}"""u8.ToArray();
        HttpRequestMessage Report(bool signed)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, callback) { Content = new ByteArrayContent(body) };
            string timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            byte[] key = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TelegramGatewayPeer.Token));
            request.Headers.Add("X-Request-Timestamp", timestamp);
            request.Headers.Add("X-Request-Signature", signed ? Convert.ToHexStringLower(Telegram.TelegramReportSignature.Compute(key, timestamp, body)) : new string('0', 64));
            return request;
        }

        var refusals = new List<HttpStatusCode>();
        for (int i = 0; i < 6; i++)
        {
            using HttpRequestMessage forged = Report(signed: false);
            using HttpResponseMessage response = await anonymous.SendAsync(forged);
            refusals.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], refusals.Take(3));
        Assert.Equal(HttpStatusCode.TooManyRequests, refusals[^1]);
        using HttpRequestMessage signed = Report(signed: true);
        using HttpResponseMessage accepted = await anonymous.SendAsync(signed);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task ReportForAnUnknownChannel_IsNotFound()
    {
        using var anonymous = new HttpClient();
        using HttpResponseMessage response = await anonymous.PostAsync($"{fixture.Self}/opentfa/v1/callbacks/telegram/nope", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
