using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>
/// SMS PINs through the real server, its kannel channel and Debian's Kannel, which forwards over
/// SMPP to the SMSC simulator and calls the per-message dlr-url back into the server.
/// </summary>
public sealed class KannelEndToEndTests : IAsyncLifetime
{
    private KannelGateway _kannel = null!;
    private TestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _kannel = await KannelGateway.StartAsync();
        int port = FreePort.Next();
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:kannel:Type"] = "kannel",
            ["OpenTfa:Channels:kannel:BaseUrl"] = _kannel.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:kannel:Username"] = KannelGateway.User,
            ["OpenTfa:Channels:kannel:Password"] = KannelGateway.Password,
            ["OpenTfa:Channels:kannel:CallbackBaseUrl"] = $"http://127.0.0.1:{port}",
            ["OpenTfa:Channels:kannel:CallbackSecret"] = "kannel-dlr-secret-0123456789",
            ["OpenTfa:Channels:dev:Type"] = "log",
            ["OpenTfa:Routes:Sms:0"] = "kannel",
            ["OpenTfa:Routes:Voice:0"] = "dev",
            ["OpenTfa:Routes:Email:0"] = "dev",
        }, port: port);
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _kannel.DisposeAsync();
    }

    private async Task<JsonNode> WaitAsync(string pinId, string state)
    {
        try
        {
            return await _client.WaitForMessageStateAsync(pinId, state, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + Environment.NewLine + _kannel.Logs(), e);
        }
    }

    [Fact]
    public async Task SmsPin_GoesThroughKannelToTheSmsc_AndKannelsDeliveryReportDeliversIt()
    {
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        string template = (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages",
            """{"messageText":"Your Acme pin is {{pin}}","pinLength":6,"pinType":"NUMERIC","senderId":"Acme"}"""))["messageId"]!.GetValue<string>();

        JsonNode sent = await _client.PostOkAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"+41793026727"}""");
        Assert.Equal("MESSAGE_SENT", sent["smsStatus"]!.GetValue<string>());
        string pinId = sent["pinId"]!.GetValue<string>();

        JsonNode delivered = await WaitAsync(pinId, "DELIVERED");
        Assert.Equal("kannel", delivered["channelName"]!.GetValue<string>());
        Assert.Equal(delivered["messageId"]!.GetValue<string>(), delivered["channelMessageId"]!.GetValue<string>());
        Assert.NotNull(delivered["deliveredAt"]);

        var message = Assert.Single(await _kannel.Smsc.GetMessagesAsync(), m => m.DestinationAddr.EndsWith("41793026727", StringComparison.Ordinal));
        Assert.Equal("Acme", message.SourceAddr);
        Assert.Matches("^Your Acme pin is [0-9]{6}$", message.Text);
        Assert.Equal(1, message.RegisteredDelivery & 0x03);
        string pin = message.Text![^6..];
        Assert.True((await _client.PostOkAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{pin}}"}"""))["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ForgedDeliveryReport_IsRefused_AndChangesNothing()
    {
        string app = (await _client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication))["applicationId"]!.GetValue<string>();
        string template = (await _client.PostOkAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Code {{pin}}","pinLength":4,"pinType":"NUMERIC"}"""))["messageId"]!.GetValue<string>();
        string pinId = (await _client.PostOkAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"41793026728"}"""))["pinId"]!.GetValue<string>();
        string messageId = (await WaitAsync(pinId, "DELIVERED"))["messageId"]!.GetValue<string>();

        using var anonymous = new HttpClient();
        using HttpResponseMessage forged = await anonymous.GetAsync(
            $"{_server.BaseAddress.AbsoluteUri.TrimEnd('/')}/opentfa/v1/callbacks/kannel/kannel?message={messageId}&token={new string('0', 32)}&type=2&reply=x");

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("DELIVERED", (await _client.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray()[0]!["state"]!.GetValue<string>());
    }
}
