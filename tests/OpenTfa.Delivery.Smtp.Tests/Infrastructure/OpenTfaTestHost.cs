using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Delivery.Tests.Infrastructure;

/// <summary>
/// The real OpenTfa server in this process on Kestrel at 127.0.0.1, on its own data folder, with
/// the channel settings a test gives. The port is chosen before start, so that channels can
/// be told OpenTfa's own URL for their callbacks. Every log entry at Warning or above is kept.
/// </summary>
public sealed class OpenTfaTestHost : IAsyncDisposable
{
    public const string Key = "delivery-tests-key-0123456789abcdef";

    private readonly WebApplication app;

    private OpenTfaTestHost(WebApplication app, Uri baseAddress, string dataDirectory, CapturedLogs logs)
    {
        this.app = app;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Logs = logs;
    }

    /// <summary>The server's log entries at Warning and above, as <c>Level Category: text</c>.</summary>
    public CapturedLogs Logs { get; }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>A port on 127.0.0.1 that is free now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task<OpenTfaTestHost> StartAsync(IDictionary<string, string?> settings, int? port = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-delivery-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int chosen = port ?? FreePort();
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenTfa:DataDirectory"] = dir,
            ["OpenTfa:BootstrapApiKey"] = Key,
            ["OpenTfa:Delivery:PollInterval"] = "00:00:00.100",
            ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:00.200",
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach ((string key, string? value) in settings)
        {
            all[key] = value;
        }

        var logs = new CapturedLogs();
        WebApplication app = OpenTfaHost.Build(["--urls", $"http://127.0.0.1:{chosen}"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.Logging.AddProvider(logs);
        });
        await OpenTfaHost.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        return new OpenTfaTestHost(app, new Uri($"http://127.0.0.1:{chosen}"), dir, logs);
    }

    public HttpClient Client(string? key = Key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
        }

        return client;
    }

    public T Get<T>()
        where T : notnull => app.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open is removed with the temp folder later.
        }
    }
}

public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> entries = new();

    public IReadOnlyList<string> Entries => entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)}");
            }
        }
    }
}

/// <summary>Raw JSON calls to the server, so that tests see exactly what goes over the wire.</summary>
public static class Json
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> CallAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task<JsonNode> OkAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        (HttpStatusCode status, JsonNode? body) = await client.CallAsync(method, path, json);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {(int)status} {body?.ToJsonString()}");
        return body!;
    }

    public static Task<JsonNode> PostOkAsync(this HttpClient client, string path, string json) => client.OkAsync(HttpMethod.Post, path, json);

    /// <summary>An application whose limits never get in the way.</summary>
    public const string RoomyApplication =
        """{"name":"delivery tests","enabled":true,"configuration":{"pinAttempts":10,"pinTimeToLive":"15m","sendPinPerApplicationLimit":"10000/1d","sendPinPerPhoneNumberLimit":"10000/1d","verifyPinLimit":"10000/1d"}}""";

    /// <summary>A roomy application with an e-mail template (subject <c>Code</c>, text <c>Code {{pin}}</c>).</summary>
    public static async Task<(string App, string Template)> CreateEmailApplicationAsync(this HttpClient client)
    {
        string app = (await client.PostOkAsync("/2fa/2/applications", RoomyApplication))["applicationId"]!.GetValue<string>();
        long body = (await client.PostOkAsync("/opentfa/v1/email-bodies", """{"subject":"Code","text":"Code {{pin}}"}"""))["id"]!.GetValue<long>();
        string template = (await client.PostOkAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}}}"""))["messageId"]!.GetValue<string>();
        return (app, template);
    }

    /// <summary>Waits until the message of <paramref name="pinId"/> reaches <paramref name="state"/>; returns its status object.</summary>
    public static Task<JsonNode> WaitForMessageStateAsync(this HttpClient client, string pinId, string state, TimeSpan? timeout = null) =>
        client.WaitForMessageAsync(pinId, m => m["state"]?.GetValue<string>() == state, $"reach {state}", timeout);

    /// <summary>Waits until the last message of <paramref name="pinId"/> satisfies <paramref name="holds"/> (described by
    /// <paramref name="awaited"/>, as in "did not <paramref name="awaited"/>"); returns its status object.</summary>
    public static async Task<JsonNode> WaitForMessageAsync(this HttpClient client, string pinId, Func<JsonNode, bool> holds, string awaited, TimeSpan? timeout = null)
    {
        JsonNode? last = await Poll.UntilAsync(
            async () => (await client.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray().LastOrDefault(),
            last => last is not null && holds(last),
            timeout ?? TimeSpan.FromSeconds(20),
            last => $"The message of PIN {pinId} did not {awaited}; last: {last?.ToJsonString()}");
        return last!;
    }
}
