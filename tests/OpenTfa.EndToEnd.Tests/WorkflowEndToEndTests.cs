using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.EndToEnd.Tests.Infrastructure;

namespace OpenTfa.EndToEnd.Tests;

/// <summary>
/// Fallback workflows through the real server and three independent peers: the fake of Meta's
/// WhatsApp Cloud API, the fake Telegram Gateway API, and the SMSC simulator that receives SMS over SMPP.
/// </summary>
public sealed class WorkflowEndToEndTests : IAsyncLifetime
{
    private const string OnWhatsApp = "41793200001";
    private const string NotOnWhatsApp = "41793200002";

    // Null until started; DisposeAsync stops those that were.
    private SmscProcess _smsc = null!;
    private WhatsAppCloud _meta = null!;
    private TelegramGatewayPeer _telegram = null!;
    private TestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        try
        {
            await StartPeersAsync();
        }
        catch
        {
            // xunit does not dispose a class whose initialization failed: stop what did start.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartPeersAsync()
    {
        _smsc = await SmscProcess.StartAsync();
        _meta = await WhatsAppCloud.StartAsync("--not-on-whatsapp", NotOnWhatsApp);
        _telegram = await TelegramGatewayPeer.StartAsync();
        int port = FreePort.Next();
        Dictionary<string, string?> settings = Settings.Smpp(_smsc.Port);
        settings["OpenTfa:Channels:wa:Type"] = "whatsapp";
        settings["OpenTfa:Channels:wa:BaseUrl"] = _meta.BaseUrl.AbsoluteUri;
        settings["OpenTfa:Channels:wa:PhoneNumberId"] = WhatsAppCloud.PhoneNumberId;
        settings["OpenTfa:Channels:wa:AccessToken"] = WhatsAppCloud.Token;
        settings["OpenTfa:Channels:wa:AppSecret"] = WhatsAppCloud.AppSecret;
        settings["OpenTfa:Channels:tg:Type"] = "telegram";
        settings["OpenTfa:Channels:tg:BaseUrl"] = _telegram.BaseUrl.AbsoluteUri;
        settings["OpenTfa:Channels:tg:AccessToken"] = TelegramGatewayPeer.Token;
        settings["OpenTfa:Channels:tg:CallbackBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["OpenTfa:Channels:wa:Timeout"] = "00:00:02";
        settings["OpenTfa:Channels:tg:Timeout"] = "00:00:02";
        settings["OpenTfa:Routes:WhatsApp:0"] = "wa";
        settings["OpenTfa:Routes:Telegram:0"] = "tg";
        settings["OpenTfa:Workflows:PollInterval"] = "00:00:00.100";
        _server = await TestServer.StartAsync(settings, port: port);
        _client = _server.Client();
        await Poll.UntilAsync(async () => (await _client.ChannelAsync())["state"]!.GetValue<string>() == "BOUND", TimeSpan.FromSeconds(30), () => "the carrier channel bound");
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        foreach (IAsyncDisposable peer in new IAsyncDisposable?[] { _server, _telegram, _meta, _smsc }.OfType<IAsyncDisposable>())
        {
            await peer.DisposeAsync();
        }
    }

    private async Task<(string App, string Template)> AppWithWorkflowAsync(string workflow)
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        await _client.PutJsonAsync($"/opentfa/v1/applications/{app}/workflow", workflow).OkAsync();
        return (app, template);
    }

    private async Task<string[]> StepsAsync(string pinId, int count) =>
        [.. (await Poll.UntilAsync(
            async () => (await _client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json.AsArray(),
            m => m.Count == count && m.All(x => x!["state"]!.GetValue<string>() is "DELIVERED" or "FAILED"),
            TimeSpan.FromSeconds(30),
            m => $"PIN {pinId} never had {count} settled messages: {m.ToJsonString()}"))
            .Select(m => $"{m!["step"]}:{m["channel"]}:{m["state"]}")];

    private async Task<bool> VerifyAsync(string pinId, string pin) =>
        (await _client.VerifyAsync(pinId, pin).OkAsync()).Json["verified"]!.GetValue<bool>();

    [Fact]
    public async Task NumberNotOnWhatsApp_GetsItsSmsOverSmppWithoutWaiting_AWhatsAppUserGetsWhatsAppOnly()
    {
        (string app, string template) = await AppWithWorkflowAsync("""{"steps":[{"channel":"whatsapp","waitSeconds":600},{"channel":"sms"}]}""");

        string onWhatsApp = await _client.SendPinOkAsync(app, template, OnWhatsApp);
        string notOnWhatsApp = await _client.SendPinOkAsync(app, template, NotOnWhatsApp);

        // Meta refuses the second number for good (131026), so its SMS leaves at once, not after ten minutes.
        SmscMessage sms = Assert.Single(await _smsc.WaitForReceivedAsync(NotOnWhatsApp));
        Assert.True(await VerifyAsync(notOnWhatsApp, Api.PinIn(sms.Text)));
        string[] fallback = await StepsAsync(notOnWhatsApp, 2);
        Assert.Equal(["1:whatsapp:FAILED", "2:sms:DELIVERED"], fallback);
        JsonNode failed = (await _client.GetJsonAsync($"/opentfa/v1/pins/{notOnWhatsApp}/messages")).Json[0]!;
        Assert.Contains("131026", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);

        JsonNode request = JsonNode.Parse(Assert.Single(await _meta.SendsToAsync("+" + OnWhatsApp))["body"]!.GetValue<string>())!;
        string code = request["template"]!["components"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "body")!["parameters"]![0]!["text"]!.GetValue<string>();
        Assert.True(await VerifyAsync(onWhatsApp, code));
        await Task.Delay(500);
        Assert.Empty(await _smsc.ReceivedAsync(OnWhatsApp));
        Assert.Single((await _client.GetJsonAsync($"/opentfa/v1/pins/{onWhatsApp}/messages")).Json.AsArray());
    }

    [Fact]
    public async Task TelegramNotVerifiedInTime_TheSameCodeFollowsBySms_AndVerifies()
    {
        const string To = "41793200011";
        (string app, string template) = await AppWithWorkflowAsync("""{"steps":[{"channel":"telegram","waitSeconds":2},{"channel":"sms"}]}""");

        string pinId = await _client.SendPinOkAsync(app, template, To);

        IReadOnlyList<JsonNode> sends = await Poll.UntilAsync(
            () => _telegram.CallsAsync("sendVerificationMessage", "+" + To),
            found => found.Count > 0, TimeSpan.FromSeconds(20), _ => "a Telegram code");
        JsonNode body = JsonNode.Parse(Assert.Single(sends)["body"]!.GetValue<string>())!;
        string code = body["code"]!.GetValue<string>();
        string requestId = body["request_id"]!.GetValue<string>();
        Assert.Equal(200, await _telegram.EmitAsync(requestId, "delivered"));

        SmscMessage sms = Assert.Single(await _smsc.WaitForReceivedAsync(To));
        Assert.Equal(code, Api.PinIn(sms.Text));
        Assert.True(await VerifyAsync(pinId, code));
        Assert.Equal(["1:telegram:DELIVERED", "2:sms:DELIVERED"], await StepsAsync(pinId, 2));
    }
}
