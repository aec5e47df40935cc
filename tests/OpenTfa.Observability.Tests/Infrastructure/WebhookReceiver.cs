using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Core.Security;

namespace OpenTfa.Observability.Tests.Infrastructure;

/// <summary>One POST as the receiver saw it, and whether its signature held for the secret it was told.</summary>
public sealed record ReceivedWebhook(string EventId, string EventType, int Attempt, string DeliveryId, JsonNode Body, bool SignatureValid, int AnsweredStatus);

/// <summary>
/// A webhook receiver on loopback, as a tenant would run one: Kestrel on 127.0.0.1 and a port the
/// OS picks. It checks each POST's signature with the secret and clock it is given, and answers
/// the statuses scripted for it (then 200).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentQueue<int> _script = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url { get; private set; } = string.Empty;

    public string? Secret { get; set; }

    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public static async Task<WebhookReceiver> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hooks", (Delegate)receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";
        return receiver;
    }

    /// <summary>The next POSTs are answered with these statuses, in order.</summary>
    public void AnswerNext(params int[] statuses)
    {
        foreach (int status in statuses)
        {
            _script.Enqueue(status);
        }
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await Poll.UntilAsync(
            () => _received.Count >= count,
            timeout ?? TimeSpan.FromSeconds(15),
            () => $"{_received.Count} webhooks arrived, expected {count}: {string.Join(", ", Received.Select(r => r.EventType))}");
        return Received;
    }

    private async Task<IResult> ReceiveAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        byte[] body = buffer.ToArray();
        bool valid = Secret is not null && OpenTfaSignature.Verify(Secret, http.Request.Headers[OpenTfaSignature.Header], body, Clock.GetUtcNow());
        int status = _script.TryDequeue(out int scripted) ? scripted : 200;
        _received.Enqueue(new ReceivedWebhook(
            http.Request.Headers["OpenTfa-Event-Id"].ToString(),
            http.Request.Headers["OpenTfa-Event-Type"].ToString(),
            int.Parse(http.Request.Headers["OpenTfa-Delivery-Attempt"].ToString(), System.Globalization.CultureInfo.InvariantCulture),
            http.Request.Headers["OpenTfa-Delivery-Id"].ToString(),
            JsonNode.Parse(Encoding.UTF8.GetString(body))!,
            valid,
            status));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
