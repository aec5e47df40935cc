using System.Net;
using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Delivery;

/// <summary>A route lists channels in order: a temporary failure moves on, a failing channel's circuit opens.</summary>
public sealed class FailoverTests
{
    /// <summary>A channel whose answer the test sets; it records every message handed to it.</summary>
    private sealed class ScriptedChannel(string name) : IMessageChannel
    {
        public ConcurrentQueue<string> Received { get; } = new();

        public volatile DeliveryOutcome Answer = DeliveryOutcome.TemporaryFailure;

        public string Name => name;

        public bool Supports(ChannelKind kind) => kind == ChannelKind.Sms;

        public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Received.Enqueue(message.To);
            return Task.FromResult(new DeliveryResult(Answer, Answer == DeliveryOutcome.Accepted ? $"gw-{Received.Count}" : null, Answer == DeliveryOutcome.Accepted ? null : $"{name} said no"));
        }
    }

    private sealed class ScriptedFactory(ScriptedChannel channel) : IChannelFactory
    {
        public string Type => "scripted";

        public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) => channel;
    }

    private static Task<TestServer> StartAsync(ScriptedChannel gateway, bool withBackup = true, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:gateway:Type"] = "scripted",
            ["OpenTfa:Channels:backup:Type"] = "log",
            ["OpenTfa:Routes:Sms:0"] = "gateway",
            ["OpenTfa:Routes:Voice:0"] = "backup",
            ["OpenTfa:Routes:Email:0"] = "backup",
            ["OpenTfa:Delivery:BreakerFailureThreshold"] = "3",
            ["OpenTfa:Delivery:BreakerOpenDuration"] = "01:00:00",
        };
        if (withBackup)
        {
            settings["OpenTfa:Routes:Sms:1"] = "backup";
        }

        foreach ((string key, string value) in extra)
        {
            settings[key] = value;
        }

        return TestServer.StartAsync(settings, services: s => s.AddSingleton<IChannelFactory>(new ScriptedFactory(gateway)));
    }

    private static async Task<Reply> WaitForStateAsync(HttpClient client, string pinId, string state)
    {
        return await Poll.UntilAsync(
            () => client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages"),
            reply => reply.Json.AsArray().Count > 0 && reply.Json[0]!["state"]!.GetValue<string>() == state,
            TimeSpan.FromSeconds(10),
            reply => $"message of {pinId} never reached {state}: {reply}");
    }

    [Fact]
    public async Task FirstGatewayDown_TheNextOneDelivers_AndTheStateNamesIt()
    {
        var gateway = new ScriptedChannel("gateway");
        await using TestServer server = await StartAsync(gateway);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        string pinId = await client.SendPinOkAsync(app, template, "41793000401");

        Assert.StartsWith("[opentfa:log] sms to=41793000401", await server.Deliveries.WaitForLineAsync("41793000401"));
        Reply state = await WaitForStateAsync(client, pinId, "SUBMITTED");
        Assert.Equal("backup", state.Json[0]!["channelName"]!.GetValue<string>());
        Assert.Equal(["41793000401"], gateway.Received);
    }

    [Fact]
    public async Task GatewayThatKeepsFailing_IsSkippedOnceItsCircuitOpens()
    {
        var gateway = new ScriptedChannel("gateway");
        await using TestServer server = await StartAsync(gateway);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        for (int i = 0; i < 8; i++)
        {
            string to = $"4179300050{i}";
            await client.SendPinOkAsync(app, template, to);
            await server.Deliveries.WaitForLineAsync(to);
        }

        Assert.Equal(3, gateway.Received.Count);
    }

    [Fact]
    public async Task PermanentRefusal_FailsTheMessage_WithoutTryingTheNextChannel()
    {
        var gateway = new ScriptedChannel("gateway") { Answer = DeliveryOutcome.PermanentFailure };
        await using TestServer server = await StartAsync(gateway);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        string pinId = await client.SendPinOkAsync(app, template, "41793000601");

        Reply state = await WaitForStateAsync(client, pinId, "FAILED");
        Assert.Equal("gateway: gateway said no", state.Json[0]!["error"]!.GetValue<string>());
        Assert.DoesNotContain(server.Deliveries.Lines, l => l.Contains("41793000601", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyChannelDown_MessageIsRetriedUntilItRecovers_AndSentOnce()
    {
        var gateway = new ScriptedChannel("gateway");
        await using TestServer server = await StartAsync(gateway, withBackup: false, ("OpenTfa:Delivery:BreakerFailureThreshold", "1000"));
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        string pinId = await client.SendPinOkAsync(app, template, "41793000701");
        await Poll.UntilAsync(() => gateway.Received.Count >= 2, TimeSpan.FromSeconds(10), () => $"the gateway was tried {gateway.Received.Count} times, not twice");

        Reply queued = await WaitForStateAsync(client, pinId, "QUEUED");

        gateway.Answer = DeliveryOutcome.Accepted;
        Reply submitted = await WaitForStateAsync(client, pinId, "SUBMITTED");
        await server.WaitUntilQueuesDrainedAsync();
        Assert.Equal(gateway.Received.Count, submitted.Json[0]!["attempts"]!.GetValue<int>());
        Assert.StartsWith("gw-", submitted.Json[0]!["channelMessageId"]!.GetValue<string>());
        Assert.Single((await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json.AsArray());
        Assert.NotNull(queued.Json[0]!["error"]);
    }

    [Fact]
    public async Task SmsOnlyConfiguration_VoiceIsRefused_NotPrintedByTheLogChannel()
    {
        var gateway = new ScriptedChannel("gateway") { Answer = DeliveryOutcome.Accepted };
        await using TestServer server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["OpenTfa:Channels:gateway:Type"] = "scripted" },
            services: s => s.AddSingleton<IChannelFactory>(new ScriptedFactory(gateway)));
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        await client.SendPinOkAsync(app, template, "41793000711");
        Reply voice = await client.SendPinAsync(app, template, "41793000712", "/2fa/2/pin/voice");
        Assert.Equal(HttpStatusCode.BadRequest, voice.Status);
        Assert.Equal("No voice channel is configured on this server", voice.ServiceException["text"]!.GetValue<string>());

        await Poll.UntilAsync(() => !gateway.Received.IsEmpty, TimeSpan.FromSeconds(10), () => "the gateway received no message");

        Assert.Equal(["41793000711"], gateway.Received);
        Assert.Empty(server.Deliveries.Lines);
    }
}
