using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Observability.Tests.Infrastructure;

/// <summary>
/// The real server on Kestrel (127.0.0.1, a port the OS picks) in this process, on its own data
/// folder, delivering through one scripted channel, optionally on a fake clock.
/// </summary>
public sealed class ObservedServer : IAsyncDisposable
{
    public const string BootstrapKey = "observability-bootstrap-key-0123456789";

    private readonly WebApplication _app;
    private readonly string _directory;

    private ObservedServer(WebApplication app, string directory, ScriptedChannel channel, Uri baseAddress)
    {
        _app = app;
        _directory = directory;
        Channel = channel;
        BaseAddress = baseAddress;
    }

    public ScriptedChannel Channel { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<ObservedServer> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "opentfa-observability-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenTfa:DataDirectory"] = directory,
            ["OpenTfa:BootstrapApiKey"] = BootstrapKey,
            ["OpenTfa:Channels:scripted:Type"] = ScriptedChannel.Type,
            ["OpenTfa:Delivery:PollInterval"] = "00:00:00.050",
            ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:00.100",
            ["OpenTfa:Webhooks:AllowPrivateNetworks"] = "true",
            ["OpenTfa:Webhooks:AllowHttp"] = "true",
            ["OpenTfa:Webhooks:PollInterval"] = "00:00:00.050",
            ["OpenTfa:Webhooks:RetryInitialDelay"] = "00:00:00.200",
            ["OpenTfa:Webhooks:ExpirySweepInterval"] = "00:00:01",
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "1000",

            // The figures are checked per application, which the operator has to switch on.
            ["OpenTfa:Telemetry:ApplicationLabels"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new ScriptedChannelFactory();
        WebApplication app = OpenTfaHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Services.AddSingleton<IChannelFactory>(factory);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        });
        await OpenTfaHost.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        app.Services.GetRequiredService<ChannelRouter>();
        return new ObservedServer(app, directory, factory.Channels["scripted"], new Uri(address));
    }

    public HttpClient Client(string? key = BootstrapKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temp folder later.
        }
    }
}

/// <summary>Raw JSON calls.</summary>
public static class Json
{
    public sealed record Reply(HttpStatusCode Status, JsonNode? Body)
    {
        public JsonNode Node => Body ?? throw new InvalidOperationException($"No JSON body (status {(int)Status})");

        public string Str(string name) => Node[name]!.GetValue<string>();

        public override string ToString() => $"{(int)Status} {Body?.ToJsonString()}";
    }

    public static async Task<Reply> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<Reply> PostJsonAsync(this HttpClient client, string path, string json) => client.SendAsync(HttpMethod.Post, path, json);

    public static Task<Reply> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static async Task<Reply> OkAsync(this Task<Reply> call)
    {
        Reply reply = await call;
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply;
    }

    public static string App(string ttl = "10m", int attempts = 3, string phoneLimit = "100/1d") =>
        $$$"""{"name":"shop","configuration":{"pinAttempts":{{{attempts}}},"pinTimeToLive":"{{{ttl}}}","sendPinPerApplicationLimit":"10000/1d","sendPinPerPhoneNumberLimit":"{{{phoneLimit}}}","verifyPinLimit":"1000/1d"}}""";

    public static async Task<(string App, string Sms, string Email)> CreateApplicationAsync(this HttpClient client, string application)
    {
        string app = (await client.PostJsonAsync("/2fa/2/applications", application).OkAsync()).Str("applicationId");
        string sms = (await client.PostJsonAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Your code {{pin}}","pinType":"NUMERIC","pinLength":6}""").OkAsync()).Str("messageId");
        long body = (await client.PostJsonAsync("/opentfa/v1/email-bodies", """{"subject":"Code","text":"Your code {{pin}}"}""").OkAsync()).Node["id"]!.GetValue<long>();
        string email = (await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinType":"NUMERIC","pinLength":6}""").OkAsync()).Str("messageId");
        return (app, sms, email);
    }
}
