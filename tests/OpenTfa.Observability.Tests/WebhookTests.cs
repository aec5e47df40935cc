using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests;

public sealed class WebhookTests
{
    [Fact]
    public async Task ReceiverFailingTwice_GetsTheSameSignedEventThreeTimes_AndTheAttemptsAreListed()
    {
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        await using ObservedServer server = await ObservedServer.StartAsync();
        HttpClient client = server.Client();
        (string app, string sms, _) = await client.CreateApplicationAsync(Json.App());
        Reply created = await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks", $$"""{"url":"{{receiver.Url}}","events":["pin.sent"],"description":"crm"}""").OkAsync();
        receiver.Secret = created.Str("secret");
        Assert.StartsWith("whsec_", receiver.Secret, StringComparison.Ordinal);
        string webhookId = created.Str("webhookId");
        receiver.AnswerNext(500, 500);

        string pinId = (await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{sms}}","to":"41793026727"}""").OkAsync()).Str("pinId");
        IReadOnlyList<ReceivedWebhook> received = await receiver.WaitForAsync(3);

        Assert.Equal([500, 500, 200], received.Select(r => r.AnsweredStatus));
        Assert.Equal([1, 2, 3], received.Select(r => r.Attempt));
        Assert.Single(received.Select(r => r.EventId).Distinct());
        Assert.Single(received.Select(r => r.DeliveryId).Distinct());
        Assert.All(received, r => Assert.True(r.SignatureValid));
        Assert.All(received, r => Assert.Equal(received[0].Body.ToJsonString(), r.Body.ToJsonString()));
        Assert.Equal(pinId, received[0].Body["data"]!["pinId"]!.GetValue<string>());
        Assert.Equal("*******6727", received[0].Body["data"]!["to"]!.GetValue<string>());

        JsonArray deliveries = await WaitForDeliveredAsync(client, $"/opentfa/v1/applications/{app}/webhooks/{webhookId}/deliveries");
        JsonNode delivery = Assert.Single(deliveries)!;
        Assert.Equal(received[0].EventId, delivery["eventId"]!.GetValue<string>());
        Assert.Equal(3, delivery["attempts"]!.GetValue<int>());
        Assert.Equal(200, delivery["lastStatus"]!.GetValue<int>());
        Assert.Equal([500, 500, 200], delivery["attemptLog"]!.AsArray().Select(a => a!["status"]!.GetValue<int>()));
        Assert.Equal("answered 500", delivery["attemptLog"]![0]!["error"]!.GetValue<string>());
        Assert.Equal(pinId, delivery["payload"]!["data"]!["pinId"]!.GetValue<string>());

        // The secret is shown once: reading the webhook again does not show it.
        Assert.Null((await client.GetJsonAsync($"/opentfa/v1/applications/{app}/webhooks/{webhookId}").OkAsync()).Json["secret"]);
    }

    [Fact]
    public async Task WebhookUrls_OnPrivateNetworksOrPlainHttp_AreRefused_UnlessTheOperatorAllowsThem()
    {
        await using ObservedServer server = await ObservedServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Webhooks:AllowPrivateNetworks"] = "false",
            ["OpenTfa:Webhooks:AllowHttp"] = "false",
        });
        HttpClient client = server.Client();
        (string app, _, _) = await client.CreateApplicationAsync(Json.App());
        string path = $"/opentfa/v1/applications/{app}/webhooks";

        foreach (string url in new[] { "https://127.0.0.1/h", "https://10.1.2.3/h", "https://169.254.169.254/latest", "https://[::1]/h", "https://localhost/h", "https://192.168.1.10/h", "http://hooks.example.com/h", "ftp://hooks.example.com/h" })
        {
            Reply refused = await client.PostJsonAsync(path, $$"""{"url":"{{url}}","events":["pin.sent"]}""");
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{url}: {refused}");
            Assert.NotNull(refused.Json["errors"]!["url"]);
        }

        Reply badEvent = await client.PostJsonAsync(path, """{"url":"https://hooks.example.com/h","events":["pin.nothing"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, badEvent.Status);
        Assert.NotNull(badEvent.Json["errors"]!["events"]);
        Reply created = await client.PostJsonAsync(path, """{"url":"https://hooks.example.com/h","events":["pin.sent","pin.verified"]}""").OkAsync();
        string id = created.Str("webhookId");

        Reply updated = await client.SendAsync(HttpMethod.Put, $"{path}/{id}", """{"enabled":false}""").OkAsync();
        Assert.False(updated.Json["enabled"]!.GetValue<bool>());
        Assert.Equal(["pin.sent", "pin.verified"], updated.Json["events"]!.AsArray().Select(e => e!.GetValue<string>()));
        string rotated = (await client.PostJsonAsync($"{path}/{id}/secret", "{}").OkAsync()).Str("secret");
        Assert.NotEqual(created.Str("secret"), rotated);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"{path}/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync($"{path}/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync($"/opentfa/v1/applications/{new string('A', 32)}/webhooks")).Status);
    }

    private static Task<JsonArray> WaitForDeliveredAsync(HttpClient client, string path) =>
        Poll.UntilAsync(
            async () => (await client.GetJsonAsync(path).OkAsync()).Json.AsArray(),
            list => list.Count > 0 && list.All(d => d!["state"]!.GetValue<string>() == "DELIVERED"),
            TimeSpan.FromSeconds(10),
            list => $"not every delivery of {path} is DELIVERED: {list.ToJsonString()}");
}
