using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenTfa.Core.Delivery;
using OpenTfa.Testing.Server;

namespace OpenTfa.Observability.Tests.Infrastructure;

/// <summary>
/// The in-process <see cref="TestServer"/> delivering through one scripted channel, with webhooks
/// allowed to local addresses, every background delay short, and per-application figures on;
/// optionally on a fake clock.
/// </summary>
public sealed class ObservedServer : IAsyncDisposable
{
    private readonly TestServer _server;

    private ObservedServer(TestServer server, ScriptedChannel channel)
    {
        _server = server;
        Channel = channel;
    }

    public ScriptedChannel Channel { get; }

    public Uri BaseAddress => _server.BaseAddress;

    public IServiceProvider Services => _server.Services;

    public static async Task<ObservedServer> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenTfa:Channels:scripted:Type"] = ScriptedChannel.Type,
            ["OpenTfa:Delivery:PollInterval"] = "00:00:00.050",
            ["OpenTfa:Webhooks:AllowPrivateNetworks"] = "true",
            ["OpenTfa:Webhooks:AllowHttp"] = "true",
            ["OpenTfa:Webhooks:PollInterval"] = "00:00:00.050",
            ["OpenTfa:Webhooks:RetryInitialDelay"] = "00:00:00.200",
            ["OpenTfa:Webhooks:ExpirySweepInterval"] = "00:00:01",

            // The figures are checked per application, which the operator has to switch on.
            ["OpenTfa:Telemetry:ApplicationLabels"] = "true",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new ScriptedChannelFactory();
        TestServer server = await TestServer.StartAsync(all, time, services => services.AddSingleton<IChannelFactory>(factory));
        server.Services.GetRequiredService<ChannelRouter>();
        return new ObservedServer(server, factory.Channels["scripted"]);
    }

    public HttpClient Client(string? key = TestServer.BootstrapKey) => _server.Client(key);

    /// <inheritdoc cref="TestServer.WaitUntilQueuesDrainedAsync"/>
    public Task WaitUntilQueuesDrainedAsync() => _server.WaitUntilQueuesDrainedAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>Raw JSON calls.</summary>
public static class Json
{

    public static string App(string ttl = "10m", int attempts = 3, string phoneLimit = "100/1d") =>
        $$$"""{"name":"shop","configuration":{"pinAttempts":{{{attempts}}},"pinTimeToLive":"{{{ttl}}}","sendPinPerApplicationLimit":"10000/1d","sendPinPerPhoneNumberLimit":"{{{phoneLimit}}}","verifyPinLimit":"1000/1d"}}""";

    public static async Task<(string App, string Sms, string Email)> CreateApplicationAsync(this HttpClient client, string application)
    {
        string app = (await client.PostJsonAsync("/2fa/2/applications", application).OkAsync()).Str("applicationId");
        string sms = (await client.PostJsonAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Your code {{pin}}","pinType":"NUMERIC","pinLength":6}""").OkAsync()).Str("messageId");
        long body = (await client.PostJsonAsync("/opentfa/v1/email-bodies", """{"subject":"Code","text":"Your code {{pin}}"}""").OkAsync()).Json["id"]!.GetValue<long>();
        string email = (await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinType":"NUMERIC","pinLength":6}""").OkAsync()).Str("messageId");
        return (app, sms, email);
    }
}
