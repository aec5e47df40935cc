using System.Net;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests.Security;

/// <summary>Webhook URLs that are, or embed, a non-public address, or name a port the operator has not allowed, are a 400 naming <c>url</c>.</summary>
public sealed class WebhookAddressTests
{
    [Fact]
    public async Task WebhookUrls_EmbeddingNonPublicAddressesOrOnOtherPorts_AreRefusedNamingUrl()
    {
        await using ObservedServer server = await ObservedServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Webhooks:AllowPrivateNetworks"] = "false",
            ["OpenTfa:Webhooks:AllowHttp"] = "false",
            ["OpenTfa:Webhooks:AllowedPorts:0"] = "8443",
        });
        HttpClient client = server.Client();
        (string app, _, _) = await client.CreateApplicationAsync(Json.App());
        string path = $"/opentfa/v1/applications/{app}/webhooks";

        foreach (string url in new[]
        {
            "https://[::127.0.0.1]/h", "https://[::ffff:10.0.0.1]/h", "https://[2002:7f00:1::]/h", "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/h",
            "https://192.88.99.1/h", "https://[64:ff9b::a9fe:a9fe]/h", "https://hooks.example.com:9443/h", "https://hooks.example.com:22/h",
        })
        {
            Reply refused = await client.PostJsonAsync(path, $$"""{"url":"{{url}}","events":["pin.sent"]}""");
            Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{url}: {refused}");
            Assert.NotNull(refused.Json["errors"]!["url"]);
        }

        foreach (string url in new[] { "https://hooks.example.com/h", "https://hooks.example.com:443/h", "https://hooks.example.com:8443/h", "https://[2606:4700:4700::1111]/h" })
        {
            Reply accepted = await client.PostJsonAsync(path, $$"""{"url":"{{url}}","events":["pin.sent"]}""");
            Assert.True(accepted.Status == HttpStatusCode.OK, $"{url}: {accepted}");
        }
    }
}
