using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Delivery;

/// <summary>
/// On a fake clock: a channel that keeps failing is retried until just before the PIN expires,
/// and a message whose PIN expired while it waited is never sent.
/// </summary>
public sealed class RetryUntilExpiryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TemporaryFailures_AreRetriedUntilJustBeforeThePinExpires_ThenTheMessageFails()
    {
        var time = new FakeTimeProvider(Start);
        var channel = Failing();
        await using TestServer server = await StartAsync(channel, time);
        HttpClient client = server.Client();
        string pinId = await SendAsync(client);

        // Back-off 1, 2, 4, 8, 16 s; the next one (32 s) would end after the PIN's minute, so the
        // last attempt comes one RetryInitialDelay before the PIN expires.
        int[] seconds = [0, 1, 3, 7, 15, 31];
        for (int attempt = 1; attempt <= seconds.Length; attempt++)
        {
            time.SetUtcNow(Start.AddSeconds(seconds[attempt - 1]));
            int made = attempt;
            await MessageAsync(client, pinId, m => m["attempts"]!.GetValue<int>() == made);
        }

        JsonNode stillQueued = await MessageAsync(client, pinId, _ => true);
        time.SetUtcNow(Start.AddSeconds(59));
        JsonNode failed = await MessageAsync(client, pinId, m => State(m) == "FAILED");

        Assert.Equal("QUEUED", State(stillQueued));
        Assert.Equal("gateway: NO_LINK: no bound SMPP session", stillQueued["error"]!.GetValue<string>());
        Assert.Equal(7, channel.Attempts);
        Assert.Equal(7, failed["attempts"]!.GetValue<int>());
        Assert.Equal("not delivered before the PIN expired; last error: gateway: NO_LINK: no bound SMPP session", failed["error"]!.GetValue<string>());
        Assert.Equal(Start.AddSeconds(59).ToUnixTimeMilliseconds(), failed["updatedAt"]!.GetValue<long>());
    }

    [Fact]
    public async Task MessageWhosePinExpiredWhileItWaited_FailsWithoutBeingSent()
    {
        var time = new FakeTimeProvider(Start);
        var channel = Failing();
        await using TestServer server = await StartAsync(channel, time);
        HttpClient client = server.Client();
        string pinId = await SendAsync(client);
        await MessageAsync(client, pinId, m => m["attempts"]!.GetValue<int>() == 1);

        time.SetUtcNow(Start.AddMinutes(5));
        JsonNode failed = await MessageAsync(client, pinId, m => State(m) == "FAILED");

        Assert.Equal(1, channel.Attempts);
        Assert.Equal("not delivered before the PIN expired", failed["error"]!.GetValue<string>());
        Assert.Equal(Start.AddMinutes(5).ToUnixTimeMilliseconds(), failed["updatedAt"]!.GetValue<long>());
    }

    /// <summary>A gateway that answers every message with the same temporary failure.</summary>
    private static AnsweringChannel Failing() => new("gateway", "failing", ChannelKind.Sms, DeliveryResult.Temporary("NO_LINK: no bound SMPP session"));

    private static Task<TestServer> StartAsync(AnsweringChannel channel, TimeProvider time) =>
        TestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["OpenTfa:Channels:gateway:Type"] = channel.Type,
                ["OpenTfa:Routes:Sms:0"] = "gateway",
                ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:01",
                ["OpenTfa:Delivery:RetryMaxDelay"] = "00:00:40",
                ["OpenTfa:Delivery:BreakerFailureThreshold"] = "1000",
            },
            time,
            s => s.AddSingleton<IChannelFactory>(channel));

    private static async Task<string> SendAsync(HttpClient client)
    {
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(ttl: "1m"));
        return await client.SendPinOkAsync(app, template, "41793000500");
    }

    private static string State(JsonNode message) => message["state"]!.GetValue<string>();

    /// <summary>The PIN's one message once <paramref name="holds"/> is true of it (the dispatcher works in real time, on the fake clock's dates).</summary>
    private static async Task<JsonNode> MessageAsync(HttpClient client, string pinId, Func<JsonNode, bool> holds)
    {
        Reply reply = await Poll.UntilAsync(
            () => client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages"),
            reply => reply.Json.AsArray() is [{ } message] && holds(message),
            TimeSpan.FromSeconds(20),
            reply => $"the message of {pinId} never reached the awaited state: {reply}");
        return reply.Json[0]!;
    }
}
