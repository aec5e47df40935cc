using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests;

/// <summary>
/// A scripted day of traffic on a fake clock: sends by SMS to three countries and by e-mail,
/// delivery reports, a right and a wrong verify, attempts used up, a refused message, a resend, a
/// limit refusal and PINs left to expire. Afterwards the metrics, the analytics and the webhooks
/// must each tell exactly what happened.
/// </summary>
public sealed class ScriptedDayTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Ch1 = "41793026727";
    private const string Ch2 = "41793026728";
    private const string De1 = "4915123456789";
    private const string Fr1 = "33612345678";
    private const string Email = "ada@example.com";

    [Fact]
    public async Task ScriptedDay_MetricsAnalyticsAndWebhooks_AgreeExactlyWithWhatHappened()
    {
        var time = new FakeTimeProvider(T0);
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        receiver.Clock = time;
        await using ObservedServer server = await ObservedServer.StartAsync(time: time);
        HttpClient client = server.Client();
        (string app, string sms, string email) = await client.CreateApplicationAsync(Json.App(ttl: "10m", attempts: 3, phoneLimit: "2/1d"));
        Reply webhook = await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks",
            $$"""{"url":"{{receiver.Url}}","events":["pin.sent","message.delivered","message.failed","pin.verified","pin.expired","pin.attempts_exhausted","rule.refused"]}""").OkAsync();
        receiver.Secret = webhook.Str("secret");
        IOutboxStore outbox = server.Services.GetRequiredService<IOutboxStore>();

        // 00:00 CH: delivered after 4 s, verified at 00:30.
        string ch1 = await SendAsync(client, app, sms, Ch1);
        string m1 = (await server.Channel.WaitForAsync(Ch1)).Id;
        await WaitForStateAsync(client, m1, "SUBMITTED");
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(await outbox.RecordDeliveryAsync("scripted", "c-" + m1, MessageState.Delivered, null, time.GetUtcNow(), time.GetUtcNow(), CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(26));
        Assert.True((await VerifyAsync(client, ch1, await server.Channel.WaitForPinAsync(Ch1))).Json["verified"]!.GetValue<bool>());

        // 01:00 DE: delivered after 10 s; three wrong PINs use up the attempts.
        time.Advance(TimeSpan.FromSeconds(30));
        string de1 = await SendAsync(client, app, sms, De1);
        string m2 = (await server.Channel.WaitForAsync(De1)).Id;
        await WaitForStateAsync(client, m2, "SUBMITTED");
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await outbox.RecordDeliveryAsync("scripted", "c-" + m2, MessageState.Delivered, null, time.GetUtcNow(), time.GetUtcNow(), CancellationToken.None));
        string wrong = await server.Channel.WaitForPinAsync(De1) == "000000" ? "111111" : "000000";
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("WRONG_PIN", (await VerifyAsync(client, de1, wrong)).Str("pinError"));
        }

        // 02:00 FR: submitted, never reported, resent at 05:00, left to expire.
        time.Advance(TimeSpan.FromSeconds(50));
        string fr1 = await SendAsync(client, app, sms, Fr1);
        await WaitForStateAsync(client, (await server.Channel.WaitForAsync(Fr1)).Id, "SUBMITTED");

        // 03:00 CH: the channel refuses the message for good; the PIN is left to expire.
        time.Advance(TimeSpan.FromMinutes(1));
        server.Channel.Refused[Ch2] = true;
        await SendAsync(client, app, sms, Ch2);
        string refused = (await server.Channel.WaitForAsync(Ch2)).Id;
        DateTimeOffset refusedAt = time.GetUtcNow();
        await WaitForStateAsync(client, refused, "FAILED");

        time.Advance(TimeSpan.FromMinutes(2));
        await client.PostJsonAsync($"/2fa/2/pin/{fr1}/resend", "{}").OkAsync();
        await WaitForStateAsync(client, (await server.Channel.WaitForAsync(Fr1, 2)).Id, "SUBMITTED");

        // 06:00 e-mail, verified a minute later.
        time.Advance(TimeSpan.FromMinutes(1));
        string mail = (await client.PostJsonAsync("/2fa/2/pin/email", $$"""{"applicationId":"{{app}}","messageId":"{{email}}","to":"{{Email}}"}""").OkAsync()).Str("pinId");
        string emailPin = await server.Channel.WaitForPinAsync(Email);
        await WaitForStateAsync(client, (await server.Channel.WaitForAsync(Email)).Id, "SUBMITTED");
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await VerifyAsync(client, mail, emailPin)).Json["verified"]!.GetValue<bool>());

        // 08:00 CH again, then a third send to the same number within the day: refused by the limit.
        time.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(client, app, sms, Ch1);
        await WaitForStateAsync(client, (await server.Channel.WaitForAsync(Ch1, 2)).Id, "SUBMITTED");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{sms}}","to":"{{Ch1}}"}""")).Status);

        // 30:00: FR (02:00), the refused CH (03:00) and the second CH (08:00) have expired unused.
        time.Advance(TimeSpan.FromMinutes(22));
        IReadOnlyList<ReceivedWebhook> received = await receiver.WaitForAsync(16);
        await server.WaitUntilQueuesDrainedAsync();

        // Webhooks: every event once, signed, with its own id.
        Assert.Equal(16, receiver.Received.Count);
        Assert.All(received, r => Assert.True(r.SignatureValid, $"{r.EventType} {r.EventId} has a bad signature"));
        Assert.All(received, r => Assert.Equal(r.EventId, r.Body["id"]!.GetValue<string>()));
        Assert.All(received, r => Assert.Equal(app, r.Body["applicationId"]!.GetValue<string>()));
        Assert.All(received, r => Assert.DoesNotContain(Ch1, r.Body.ToJsonString(), StringComparison.Ordinal));
        Assert.Equal(16, received.Select(r => r.EventId).Distinct().Count());
        Dictionary<string, int> byType = received.GroupBy(r => r.EventType).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["pin.sent"] = 7,
            ["message.delivered"] = 2,
            ["message.failed"] = 1,
            ["pin.verified"] = 2,
            ["pin.attempts_exhausted"] = 1,
            ["pin.expired"] = 3,
        }, byType);
        Assert.Equal([ch1, mail], received.Where(r => r.EventType == "pin.verified").Select(r => r.Body["data"]!["pinId"]!.GetValue<string>()));
        Assert.Equal(de1, received.Single(r => r.EventType == "pin.attempts_exhausted").Body["data"]!["pinId"]!.GetValue<string>());
        Assert.Single(received, r => r.EventType == "pin.sent" && r.Body["data"]!["resend"]!.GetValue<bool>());
        Assert.Equal(["CH", "CH", "FR"], received.Where(r => r.EventType == "pin.expired").Select(r => r.Body["data"]!["country"]!.GetValue<string>()).Order());

        // Metrics.
        var scrape = new Scrape(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        (string, string) a = ("application", app);
        Assert.Equal(3, scrape.Sum("opentfa_pins_sent_total", a, ("channel", "sms"), ("country", "CH"), ("outcome", "sent")));
        Assert.Equal(1, scrape.Sum("opentfa_pins_sent_total", a, ("channel", "sms"), ("country", "DE"), ("outcome", "sent")));
        Assert.Equal(1, scrape.Sum("opentfa_pins_sent_total", a, ("channel", "sms"), ("country", "FR"), ("outcome", "sent")));
        Assert.Equal(1, scrape.Sum("opentfa_pins_sent_total", a, ("channel", "email"), ("country", "none"), ("outcome", "sent")));
        Assert.Equal(6, scrape.Sum("opentfa_pins_sent_total", a));
        Assert.Equal(1, scrape.Sum("opentfa_pins_resent_total", a, ("country", "FR")));
        Assert.Equal(2, scrape.Sum("opentfa_pins_verifications_total", a, ("outcome", "verified")));
        Assert.Equal(3, scrape.Sum("opentfa_pins_verifications_total", a, ("country", "DE"), ("outcome", "wrong_pin")));
        Assert.Equal(5, scrape.Sum("opentfa_pins_verifications_total", a));
        Assert.Equal(1, scrape.Sum("opentfa_refusals_total", a, ("reason", "limit"), ("name", "sendPinPerPhoneNumberLimit")));
        Assert.Equal(6, scrape.Sum("opentfa_messages_total", a, ("state", "submitted")));
        Assert.Equal(2, scrape.Sum("opentfa_messages_total", a, ("state", "delivered"), ("channel_name", "scripted")));
        Assert.Equal(1, scrape.Sum("opentfa_messages_total", a, ("state", "failed"), ("country", "CH")));
        Assert.Equal(2, scrape.Sum("opentfa_pins_delivery_duration_seconds_count", a));
        Assert.Equal(14, scrape.Sum("opentfa_pins_delivery_duration_seconds_sum", a), 3);
        Assert.Equal(2, scrape.Sum("opentfa_pins_verification_duration_seconds_count", a));
        Assert.Equal(90, scrape.Sum("opentfa_pins_verification_duration_seconds_sum", a), 3);
        Assert.Equal(3, scrape.Sum("opentfa_pins_expired_total", a));
        Assert.Equal(7, scrape.Sum("opentfa_events_total", ("type", "pin.sent")));
        Assert.Equal(16, scrape.Sum("opentfa_webhooks_attempts_total", ("outcome", "delivered")));
        Assert.Equal(0, scrape.Sum("opentfa_outbox_depth"));
        Assert.Equal(6, scrape.Sum("opentfa_channel_sends_total", ("channel_name", "scripted"), ("outcome", "submitted")));
        Assert.Equal(1, scrape.Sum("opentfa_channel_sends_total", ("channel_name", "scripted"), ("outcome", "failed")));
        Assert.Equal(7, scrape.Sum("opentfa_channel_sends_total"));
        Assert.Equal(refusedAt.ToUnixTimeSeconds(), scrape.Sum("opentfa_channel_last_error_time_seconds", ("channel_name", "scripted")), 3);

        // The channel's own account of the day.
        JsonNode channel = (await client.GetJsonAsync("/opentfa/v1/channels").OkAsync()).Json.AsArray().Single(c => c!["name"]!.GetValue<string>() == "scripted")!;
        Assert.Equal(("READY", "CLOSED"), (channel["state"]!.GetValue<string>(), channel["circuit"]!["state"]!.GetValue<string>()));
        Assert.Equal("""{"submitted":6,"failed":1,"retried":0,"delivered":2,"undelivered":0}""",
            new JsonObject(channel["counters"]!.AsObject().Where(c => c.Key != "since").Select(c => KeyValuePair.Create(c.Key, c.Value?.DeepClone()))).ToJsonString());
        Assert.Equal(("the destination is barred", refused), (channel["lastError"]!["message"]!.GetValue<string>(), channel["lastError"]!["messageId"]!.GetValue<string>()));
        Assert.Equal(0, scrape.Sum("opentfa_webhooks_queue_depth"));
        Assert.Equal(1, scrape.Sum("opentfa_channel_up", ("channel_name", "scripted")));
        foreach (IReadOnlyDictionary<string, string> labels in scrape.LabelSets("opentfa_"))
        {
            Assert.DoesNotContain(labels.Values, v => v.Contains(Ch1[^8..], StringComparison.Ordinal) || v.Contains('@', StringComparison.Ordinal));
        }

        // Analytics over the hour.
        JsonNode report = (await client.GetJsonAsync($"/opentfa/v1/analytics?applicationId={app}&from={T0.ToUnixTimeMilliseconds()}&to={T0.AddHours(1).ToUnixTimeMilliseconds()}").OkAsync()).Json;
        AssertFigures(report["totals"]!, sent: 6, verified: 2, conversion: 0.333333, delivered: 2, failed: 1, deliveryRate: 0.333333, medianDelivery: 7, medianVerification: 45);
        AssertFigures(Group(report, "byCountry", "CH"), sent: 3, verified: 1, conversion: 0.333333, delivered: 1, failed: 1, deliveryRate: 0.333333, medianDelivery: 4, medianVerification: 30);
        AssertFigures(Group(report, "byCountry", "DE"), sent: 1, verified: 0, conversion: 0, delivered: 1, failed: 0, deliveryRate: 1, medianDelivery: 10, medianVerification: null);
        AssertFigures(Group(report, "byCountry", "FR"), sent: 1, verified: 0, conversion: 0, delivered: 0, failed: 0, deliveryRate: 0, medianDelivery: null, medianVerification: null);
        AssertFigures(Group(report, "byCountry", "none"), sent: 1, verified: 1, conversion: 1, delivered: 0, failed: 0, deliveryRate: 0, medianDelivery: null, medianVerification: 60);
        AssertFigures(Group(report, "byChannel", "sms"), sent: 5, verified: 1, conversion: 0.2, delivered: 2, failed: 1, deliveryRate: 0.4, medianDelivery: 7, medianVerification: 30);
        AssertFigures(Group(report, "byApplication", app), sent: 6, verified: 2, conversion: 0.333333, delivered: 2, failed: 1, deliveryRate: 0.333333, medianDelivery: 7, medianVerification: 45);
        Assert.Equal(0, (await client.GetJsonAsync($"/opentfa/v1/analytics?applicationId={app}&from={T0.AddHours(1).ToUnixTimeMilliseconds()}&to={T0.AddHours(2).ToUnixTimeMilliseconds()}").OkAsync()).Json["totals"]!["sent"]!.GetValue<int>());

        // The support history of the first Swiss number: masked, then in full (audited).
        JsonNode masked = (await client.GetJsonAsync($"/opentfa/v1/applications/{app}/destinations/{Ch1}/history").OkAsync()).Json;
        Assert.Equal(["EXPIRED", "VERIFIED"], masked["pins"]!.AsArray().Select(p => p!["status"]!.GetValue<string>()));
        Assert.All(masked["pins"]!.AsArray(), p => Assert.Equal("*******6727", p!["destination"]!.GetValue<string>()));
        Assert.DoesNotContain(Ch1, masked.ToJsonString(), StringComparison.Ordinal);
        JsonNode full = (await client.GetJsonAsync($"/opentfa/v1/applications/{app}/destinations/{Ch1}/history?unmasked=true").OkAsync()).Json;
        Assert.Equal(Ch1, full["pins"]![0]!["destination"]!.GetValue<string>());
        Assert.Equal("DELIVERED", full["pins"]![1]!["messages"]![0]!["state"]!.GetValue<string>());
    }

    private static async Task<string> SendAsync(HttpClient client, string app, string template, string to) =>
        (await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}"}""").OkAsync()).Str("pinId");

    private static Task<Reply> VerifyAsync(HttpClient client, string pinId, string pin) =>
        client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", $$"""{"pin":"{{pin}}"}""").OkAsync();

    private static Task WaitForStateAsync(HttpClient client, string messageId, string state) =>
        Poll.UntilAsync(
            async () =>
            {
                Reply reply = await client.GetJsonAsync($"/opentfa/v1/messages/{messageId}");
                return reply.Status == HttpStatusCode.OK ? reply.Str("state") : null;
            },
            last => last == state,
            TimeSpan.FromSeconds(10),
            last => $"Message {messageId} is {last}, not {state}");

    private static JsonNode Group(JsonNode report, string breakdown, string key) =>
        report[breakdown]!.AsArray().Single(g => g!["key"]!.GetValue<string>() == key)!["figures"]!;

    private static void AssertFigures(JsonNode f, int sent, int verified, double? conversion, int delivered, int failed, double? deliveryRate, double? medianDelivery, double? medianVerification)
    {
        Assert.Equal(sent, f["sent"]!.GetValue<int>());
        Assert.Equal(0, f["notSent"]!.GetValue<int>());
        Assert.Equal(verified, f["verified"]!.GetValue<int>());
        Assert.Equal(conversion, f["conversion"]?.GetValue<double>());
        Assert.Equal(delivered, f["delivered"]!.GetValue<int>());
        Assert.Equal(failed, f["failed"]!.GetValue<int>());
        Assert.Equal(deliveryRate, f["deliveryRate"]?.GetValue<double>());
        Assert.Equal(medianDelivery, f["medianDeliverySeconds"]?.GetValue<double>());
        Assert.Equal(medianVerification, f["medianVerificationSeconds"]?.GetValue<double>());
    }
}
