using System.Net;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests;

/// <summary>Each fallback workflow step is announced by a webhook and counted by a metric.</summary>
public sealed class WorkflowEventsTests
{
    [Fact]
    public async Task EachStep_IsAnnounced_AndCounted_AStepOverTheLimitAsSkipped()
    {
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        await using ObservedServer server = await ObservedServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Workflows:PollInterval"] = "00:00:00.050" });
        HttpClient client = server.Client();
        (string app, string sms, _) = await client.CreateApplicationAsync(Json.App(phoneLimit: "2/1d"));
        await client.PutJsonAsync($"/opentfa/v1/applications/{app}/workflow",
            """{"steps":[{"channel":"whatsapp","waitSeconds":600},{"channel":"sms","waitSeconds":600},{"channel":"voice"}]}""").OkAsync();
        Reply webhook = await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks",
            $$"""{"url":"{{receiver.Url}}","events":["pin.sent","message.failed","pin.step_skipped"]}""").OkAsync();
        receiver.Secret = webhook.Str("secret");

        // The number is barred on every channel: each failure brings the next step forward, and
        // the third step would be the number's third send of the day.
        const string To = "41793026799";
        server.Channel.Refused[To] = true;
        string pinId = (await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{sms}}","to":"{{To}}"}""").OkAsync()).Str("pinId");

        IReadOnlyList<ReceivedWebhook> received = await receiver.WaitForAsync(5);
        Assert.All(received, r => Assert.True(r.SignatureValid));
        Assert.All(received, r => Assert.Equal(pinId, r.Body["data"]!["pinId"]!.GetValue<string>()));
        Assert.Equal(
            ["message.failed 1 whatsapp", "message.failed 2 sms", "pin.sent 1 whatsapp", "pin.sent 2 sms", "pin.step_skipped 3 voice"],
            received.Select(r => $"{r.EventType} {r.Body["data"]!["step"]} {r.Body["data"]!["channel"]}").Order(StringComparer.Ordinal));
        ReceivedWebhook skipped = received.Single(r => r.EventType == "pin.step_skipped");
        Assert.Contains("sendPinPerPhoneNumberLimit", skipped.Body["data"]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("*******6799", skipped.Body["data"]!["to"]!.GetValue<string>());

        Scrape metrics = new(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        Assert.Equal(1, metrics.Sum("opentfa_workflow_steps_total", ("step", "1"), ("channel", "whatsapp"), ("outcome", "sent"), ("application", app)));
        Assert.Equal(1, metrics.Sum("opentfa_workflow_steps_total", ("step", "2"), ("channel", "sms"), ("outcome", "sent"), ("application", app)));
        Assert.Equal(1, metrics.Sum("opentfa_workflow_steps_total", ("step", "3"), ("channel", "voice"), ("outcome", "skipped"), ("application", app)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}")).Status);
    }
}
