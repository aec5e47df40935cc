using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.EndToEnd.Tests.Infrastructure;

namespace OpenTfa.EndToEnd.Tests;

/// <summary>An SMPP account with the wrong password: the SMSC refuses every bind.</summary>
public sealed class WrongPasswordTests
{
    [Fact]
    public async Task WrongPassword_ErrorShowsInChannelsAndMessageState_AndTheApiStaysUp()
    {
        await using SmscProcess smsc = await SmscProcess.StartAsync();
        await using TestServer server = await TestServer.StartAsync(Settings.Smpp(smsc.Port, password: "wrong"));
        using HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        string pinId = await client.SendPinOkAsync(app, template, "41795000001");

        await Poll.UntilAsync(async () => (await client.MessageStateAsync(pinId))["error"] is not null, TimeSpan.FromSeconds(30), () => "the failed attempt recorded");
        JsonNode message = await client.MessageStateAsync(pinId);
        Assert.Equal("QUEUED", message["state"]!.GetValue<string>());
        Assert.Contains("NO_LINK: no bound SMPP session with room within 1 s; last connection error: bind refused: ESME_RINVPASWD (0x0000000E)",
            message["error"]!.GetValue<string>(), StringComparison.Ordinal);

        JsonNode carrier = await client.ChannelAsync();
        Assert.Equal(("CONNECTING", 0), (carrier["state"]!.GetValue<string>(), carrier["sessions"]!["bound"]!.GetValue<int>()));
        Assert.Equal("ESME_RINVPASWD", carrier["sessions"]!["lastError"]!["status"]!.GetValue<string>());
        Assert.Equal("bind refused: ESME_RINVPASWD (0x0000000E)", carrier["sessions"]!["lastError"]!["message"]!.GetValue<string>());
        Assert.Contains("ESME_RINVPASWD", carrier["lastError"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(carrier["counters"]!["retried"]!.GetValue<long>() >= 1);
        Assert.DoesNotContain("wrong", carrier.ToJsonString(), StringComparison.Ordinal);

        using HttpResponseMessage ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("MESSAGE_SENT", (await client.SendPinAsync(app, template, "41795000002").OkAsync()).Str("smsStatus"));
        Assert.Contains(await smsc.GetBindsAsync(), b => b.CommandStatus == 0x0E);
        Assert.Empty(await smsc.GetMessagesAsync());
    }
}
