using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.EndToEnd.Tests.Infrastructure;

namespace OpenTfa.EndToEnd.Tests;

/// <summary>PINs sent through the real server leave over SMPP to the SMSC simulator; what it received is checked.</summary>
[Collection(SmppServerCollection.Name)]
public sealed class SmsOverSmppTests(SmppServerFixture fixture) : IAsyncLifetime
{
    private SmscProcess Smsc => fixture.Smsc;

    private TestServer Server => fixture.Server;

    public async Task InitializeAsync()
    {
        await Smsc.ResetAsync();
        using HttpClient client = Server.Client();
        await Poll.UntilAsync(async () => (await client.ChannelAsync())["state"]!.GetValue<string>() == "BOUND", TimeSpan.FromSeconds(30), () => "the carrier channel bound");
    }

    public Task DisposeAsync() => Smsc.ResetAsync();

    [Fact]
    public async Task SeedFlow_PinLeavesOverSmpp_AndTheOneTheSmscReceivedVerifies()
    {
        using HttpClient client = Server.Client();
        string app = (await client.PostJsonAsync("/2fa/2/applications",
            """{"name":"My 2FA application","enabled":true,"configuration":{"allowMultiplePinVerifications":true,"pinAttempts":5,"pinTimeToLive":"10m","sendPinPerApplicationLimit":"2/4s","sendPinPerPhoneNumberLimit":"2/1d","verifyPinLimit":"5000/12h"}}""").OkAsync()).Str("applicationId");
        string template = (await client.PostJsonAsync($"/2fa/2/applications/{app}/messages", RawJson.SeedTemplate).OkAsync()).Str("messageId");

        Reply send = await client.PostJsonAsync("/2fa/2/pin",
            $$$"""{"applicationId":"{{{app}}}","messageId":"{{{template}}}","to":"41793026727","from":"InfoSMS","placeholders":{"firstName":"John"}}""").OkAsync();

        Assert.Equal(("MESSAGE_SENT", "41793026727"), (send.Str("smsStatus"), send.Str("to")));
        string pinId = send.Str("pinId");
        SmscMessage sms = Assert.Single(await Smsc.WaitForReceivedAsync("41793026727"));
        Assert.Equal(("InfoSMS", 5, 0), (sms.SourceAddr, sms.SourceAddrTon, sms.SourceAddrNpi));
        Assert.Equal((1, 1, 0, 1), (sms.DestAddrTon, sms.DestAddrNpi, sms.DataCoding, sms.RegisteredDelivery));
        string pin = Api.PinIn(sms.Text);

        Reply wrong = await client.VerifyAsync(pinId, pin == "0000" ? "1111" : "0000").OkAsync();
        Assert.Equal(("WRONG_PIN", 4), (wrong.Str("pinError"), wrong.Json["attemptsRemaining"]!.GetValue<int>()));
        Reply right = await client.VerifyAsync(pinId, pin).OkAsync();
        Assert.True(right.Json["verified"]!.GetValue<bool>());
        Assert.Equal("41793026727", right.Str("msisdn"));

        JsonNode message = await client.WaitForStateAsync(pinId, "DELIVERED");
        Assert.Equal(("carrier", sms.MessageId, 1), (message["channelName"]!.GetValue<string>(), message["channelMessageId"]!.GetValue<string>(), message["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LongGsmText_300Characters_IsReassembledAtTheSmscAsRendered()
    {
        const string Start = "Your pin is {{pin}}. ";
        string filler = string.Concat(Enumerable.Repeat("Keep it secret {and} never share it [ok]. ", 10));
        string messageText = Start + filler[..(300 - (Start.Length - "{{pin}}".Length + 4))];
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(
            $$"""{"messageText":"{{messageText}}","pinLength":4,"pinType":"NUMERIC"}""");

        string pinId = await client.SendPinOkAsync(app, template, "41793100001");

        List<SmscMessage> segments = await Smsc.WaitForAllSegmentsAsync("41793100001");
        Assert.True(segments.Count >= 2);
        Assert.All(segments, s => Assert.Equal((0, 0x40, segments.Count), (s.DataCoding, s.EsmClass & 0x40, s.Udh!.Total!.Value)));
        Assert.Equal(Enumerable.Range(1, segments.Count), segments.Select(s => s.Udh!.Seq!.Value));
        Assert.Single(segments.Select(s => s.Udh!.Reference).Distinct());
        string text = string.Concat(segments.Select(s => s.Text));
        Assert.Equal(300, text.Length);
        string pin = text.Substring("Your pin is ".Length, 4);
        Assert.Equal(messageText.Replace("{{pin}}", pin, StringComparison.Ordinal), text);
        Assert.True((await client.VerifyAsync(pinId, pin).OkAsync()).Json["verified"]!.GetValue<bool>());
        JsonNode message = await client.WaitForStateAsync(pinId, "DELIVERED");
        Assert.Equal(segments[0].MessageId, message["channelMessageId"]!.GetValue<string>());
    }

    [Fact]
    public async Task LongUcs2Text_100Characters_IsReassembledAtTheSmscAsRendered()
    {
        const string Start = "Ваш код {{pin}}. ";
        string filler = string.Concat(Enumerable.Repeat("Никому его не сообщайте. ", 5));
        string messageText = Start + filler[..(100 - (Start.Length - "{{pin}}".Length + 4))];
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(
            $$"""{"messageText":"{{messageText}}","pinLength":4,"pinType":"NUMERIC"}""");

        string pinId = await client.SendPinOkAsync(app, template, "41793100002");

        List<SmscMessage> segments = await Smsc.WaitForAllSegmentsAsync("41793100002");
        Assert.Equal(2, segments.Count);
        Assert.All(segments, s => Assert.Equal((8, 0x40), (s.DataCoding, s.EsmClass & 0x40)));
        string text = string.Concat(segments.Select(s => s.Text));
        Assert.Equal(100, text.Length);
        string pin = text.Substring("Ваш код ".Length, 4);
        Assert.Equal(messageText.Replace("{{pin}}", pin, StringComparison.Ordinal), text);
        Assert.True((await client.VerifyAsync(pinId, pin).OkAsync()).Json["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Receipt_Delivered_ShowsInTheMessageState()
    {
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        long before = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();

        string pinId = await client.SendPinOkAsync(app, template, "41793200001");

        SmscMessage sms = Assert.Single(await Smsc.WaitForReceivedAsync("41793200001"));
        JsonNode message = await client.WaitForStateAsync(pinId, "DELIVERED");
        Assert.Equal(("sms", "carrier", sms.MessageId), (message["channel"]!.GetValue<string>(), message["channelName"]!.GetValue<string>(), message["channelMessageId"]!.GetValue<string>()));
        Assert.InRange(message["deliveredAt"]!.GetValue<long>(), before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Null(message["error"]);
        Assert.Equal("*******6727".Length, message["to"]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task Receipt_Undeliverable_MarksTheMessageFailedWithTheReceiptError()
    {
        await Smsc.SetModeAsync(new { receiptStat = "UNDELIV" });
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        string pinId = await client.SendPinOkAsync(app, template, "41793200002");

        JsonNode message = await client.WaitForStateAsync(pinId, "FAILED");
        Assert.Equal("UNDELIV err:000", message["error"]!.GetValue<string>());
        Assert.Single(await Smsc.ReceivedAsync("41793200002"));
    }

    [Fact]
    public async Task SmscThrottling_ForAWhile_TheSmsStillLeavesOnce()
    {
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        long temporaryBefore = (await client.ChannelAsync())["counters"]!["retried"]!.GetValue<long>();
        // Each attempt is tried three times (MaxThrottleRetries = 2): the third attempt gets through.
        await Smsc.SetModeAsync(new { throttle = 7 });

        string pinId = await client.SendPinOkAsync(app, template, "41793300001");

        JsonNode message = await client.WaitForStateAsync(pinId, "DELIVERED");
        Assert.Equal(3, message["attempts"]!.GetValue<int>());
        await Server.WaitUntilQueuesDrainedAsync();
        SmscMessage sms = Assert.Single(await Smsc.ReceivedAsync("41793300001"));
        Assert.Equal(sms.MessageId, message["channelMessageId"]!.GetValue<string>());
        Assert.True((await client.ChannelAsync())["counters"]!["retried"]!.GetValue<long>() >= temporaryBefore + 2);
    }

    [Fact]
    public async Task Channels_ShowTheSmppChannelBoundWithItsCounters()
    {
        using HttpClient client = Server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        string pinId = await client.SendPinOkAsync(app, template, "41793400001");
        await client.WaitForStateAsync(pinId, "DELIVERED");
        // The receipt is counted just after the store recorded it.
        await Poll.UntilAsync(async () => (await client.ChannelAsync())["counters"]!["delivered"]!.GetValue<long>() >= 1, TimeSpan.FromSeconds(30), () => "the receipt counted");

        Reply reply = await client.GetJsonAsync("/opentfa/v1/channels").OkAsync();

        JsonNode carrier = reply.Json.AsArray().Single(c => c!["name"]!.GetValue<string>() == "carrier")!;
        Assert.Equal(("smpp", "BOUND"), (carrier["type"]!.GetValue<string>(), carrier["state"]!.GetValue<string>()));
        Assert.Equal(["sms"], carrier["kinds"]!.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal((1, 1), (carrier["sessions"]!["configured"]!.GetValue<int>(), carrier["sessions"]!["bound"]!.GetValue<int>()));
        JsonNode counters = carrier["counters"]!;
        Assert.True(counters["submitted"]!.GetValue<long>() >= 1);
        Assert.True(counters["delivered"]!.GetValue<long>() >= 1);
        Assert.True(counters["since"]!.GetValue<long>() <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.DoesNotContain(SmscProcess.Password, reply.Json.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channels_WithoutTheAdminScope_AnswersProblemDetails403()
    {
        using HttpClient admin = Server.Client();
        string key = (await admin.PostJsonAsync("/opentfa/v1/keys", """{"name":"narrow","scopes":["2fa:manage","2fa:pin:send"]}""").OkAsync()).Str("key");
        using HttpClient narrow = Server.Client(key);

        using HttpResponseMessage response = await narrow.GetAsync("/opentfa/v1/channels");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonNode problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(403, problem["status"]!.GetValue<int>());
        Assert.Contains("opentfa:admin", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
