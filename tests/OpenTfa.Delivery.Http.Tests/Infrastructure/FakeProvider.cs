using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenTfa.Delivery.Http.Tests.Infrastructure;

/// <summary>A request as the provider's listener received it, byte for byte.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>The form fields in the order they were sent (names may repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Form => Pairs(Text);

    public IReadOnlyList<KeyValuePair<string, string>> QueryFields => Pairs(Query.TrimStart('?'));

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    private static List<KeyValuePair<string, string>> Pairs(string encoded) =>
        encoded.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Decode(p[0]), p.Length > 1 ? Decode(p[1]) : string.Empty))
            .ToList();

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

/// <summary>What the listener answers.</summary>
public sealed record FakeAnswer(int Status, string Body = "", string ContentType = "application/json", string? Location = null, TimeSpan? Delay = null);

/// <summary>
/// A local HTTP listener (Kestrel on 127.0.0.1, a port the OS picks) standing in for a provider:
/// it records every request and answers what the test scripted.
/// </summary>
public sealed class FakeProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private Func<RecordedRequest, FakeAnswer> _answer = _ => new FakeAnswer(200, "{}");

    private FakeProvider(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public static async Task<FakeProvider> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var fake = new FakeProvider(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fake;
    }

    public void Answer(Func<RecordedRequest, FakeAnswer> answerer) => _answer = answerer;

    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match, TimeSpan? timeout = null)
    {
        RecordedRequest? found = await Poll.UntilAsync(
            () => Task.FromResult(_requests.FirstOrDefault(match)),
            found => found is not null,
            timeout ?? TimeSpan.FromSeconds(15),
            _ => $"No matching request; received: {string.Join("; ", _requests.Select(r => $"{r.Method} {r.Path}"))}");
        return found!;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.ToArray());
        _requests.Enqueue(recorded);
        FakeAnswer reply = _answer(recorded);
        if (reply.Delay is { } delay)
        {
            await Task.Delay(delay, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        if (reply.Location is not null)
        {
            context.Response.Headers.Location = reply.Location;
        }

        await context.Response.WriteAsync(reply.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
