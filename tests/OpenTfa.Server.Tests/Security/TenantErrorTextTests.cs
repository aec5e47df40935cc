using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// A message's delivery error names the operator's gateways; tenants see it without URLs, host
/// names and addresses, on every path (message state, destination history, webhook payloads),
/// while the operator's admin key sees the text as stored.
/// </summary>
public sealed class TenantErrorTextTests
{
    private const string Phone = "41793026727";
    private const string TenantScopes = "\"2fa:manage\",\"2fa:pin:send\",\"opentfa:admin\"";

    [Fact]
    public async Task UnreachableGateway_TenantSeesNoAddress_OperatorSeesTheFullText()
    {
        int closedPort = ClosedPort();
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:down:Type"] = "webhook",
            ["OpenTfa:Channels:down:Url"] = $"http://127.0.0.1:{closedPort}/sms",
            ["OpenTfa:Channels:down:Secret"] = "0123456789abcdef0123",
            ["OpenTfa:Channels:down:Timeout"] = "00:00:02",
            ["OpenTfa:Routes:Sms:0"] = "down",
        });
        HttpClient operatorClient = server.Client();
        HttpClient tenantClient = server.Client(await operatorClient.CreateKeyAsync(TenantScopes, await operatorClient.CreateTenantAsync()));

        (string tenantApp, string tenantTemplate) = await tenantClient.CreateAppAndTemplateAsync();
        string tenantPin = await tenantClient.SendPinOkAsync(tenantApp, tenantTemplate, Phone);
        JsonNode tenantMessage = await WaitForErrorAsync(tenantClient, tenantPin);
        string tenantError = tenantMessage["error"]!.GetValue<string>();
        string single = (await tenantClient.GetJsonAsync($"/opentfa/v1/messages/{tenantMessage["messageId"]!.GetValue<string>()}")).Json["error"]!.GetValue<string>();
        JsonNode history = (await tenantClient.GetJsonAsync($"/opentfa/v1/applications/{tenantApp}/destinations/{Phone}/history")).Json;
        string historyError = history["pins"]![0]!["messages"]![0]!["error"]!.GetValue<string>();

        foreach (string shown in new[] { tenantError, single, historyError })
        {
            Assert.Contains("could not reach the gateway", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", shown, StringComparison.Ordinal);
            Assert.DoesNotContain($":{closedPort}", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", shown, StringComparison.Ordinal);
        }

        (string operatorApp, string operatorTemplate) = await operatorClient.CreateAppAndTemplateAsync();
        string operatorPin = await operatorClient.SendPinOkAsync(operatorApp, operatorTemplate, Phone);
        string operatorError = (await WaitForErrorAsync(operatorClient, operatorPin))["error"]!.GetValue<string>();
        Assert.Contains($"http://127.0.0.1:{closedPort}", operatorError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GatewayRefusalNamingItsNetwork_ReachesTheTenantsWebhookWithoutIt()
    {
        await using Listener listener = await Listener.StartAsync();
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:gateway:Type"] = "webhook",
            ["OpenTfa:Channels:gateway:Url"] = listener.Url + "/sms",
            ["OpenTfa:Channels:gateway:Secret"] = "0123456789abcdef0123",
            ["OpenTfa:Channels:gateway:Timeout"] = "00:00:05",
            ["OpenTfa:Routes:Sms:0"] = "gateway",
            ["OpenTfa:Webhooks:AllowPrivateNetworks"] = "true",
            ["OpenTfa:Webhooks:AllowHttp"] = "true",
        });
        HttpClient operatorClient = server.Client();
        HttpClient tenantClient = server.Client(await operatorClient.CreateKeyAsync(TenantScopes, await operatorClient.CreateTenantAsync()));
        (string app, string template) = await tenantClient.CreateAppAndTemplateAsync();
        Reply hook = await tenantClient.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks", $$"""{"url":"{{listener.Url}}/hooks","events":["message.failed"]}""");
        Assert.True(hook.Status == HttpStatusCode.OK, hook.ToString());

        string pinId = await tenantClient.SendPinOkAsync(app, template, Phone);
        JsonNode message = await WaitForErrorAsync(tenantClient, pinId);
        JsonNode @event = await listener.WaitForHookAsync();

        string webhookError = @event["data"]!["error"]!.GetValue<string>();
        foreach (string shown in new[] { webhookError, message["error"]!.GetValue<string>() })
        {
            Assert.Contains("the gateway answered 400", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("10.9.8.7", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("smsc.internal.example.net", shown, StringComparison.Ordinal);
        }

        Assert.Equal(pinId, @event["data"]!["pinId"]!.GetValue<string>());
    }

    private static async Task<JsonNode> WaitForErrorAsync(HttpClient client, string pinId)
    {
        Reply messages = await Poll.UntilAsync(
            async () =>
            {
                Reply reply = await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages");
                Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
                return reply;
            },
            reply => reply.Json.AsArray().Any(m => m?["error"] is not null),
            TimeSpan.FromSeconds(30),
            reply => $"no error recorded for {pinId}: {reply}");
        return messages.Json.AsArray().First(m => m?["error"] is not null)!;
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A gateway that refuses every message with a body naming its own network, and a tenant's webhook receiver.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<JsonNode> _hooks = new();

        private Listener(WebApplication app) => _app = app;

        public string Url { get; private set; } = string.Empty;

        public static async Task<Listener> StartAsync()
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var listener = new Listener(builder.Build());
            listener._app.MapPost("/sms", () => Results.Text("no route to smsc.internal.example.net via http://10.9.8.7:2775/bind", statusCode: 400));
            listener._app.MapPost("/hooks", async (HttpRequest request) =>
            {
                listener._hooks.Enqueue((await JsonNode.ParseAsync(request.Body))!);
                return Results.Ok();
            });
            await listener._app.StartAsync();
            listener.Url = listener._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return listener;
        }

        public async Task<JsonNode> WaitForHookAsync()
        {
            await Poll.UntilAsync(() => !_hooks.IsEmpty, TimeSpan.FromSeconds(30), () => "no webhook arrived");
            _hooks.TryPeek(out JsonNode? first);
            return first!;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
