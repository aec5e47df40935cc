using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.EndToEnd.Tests.Infrastructure;

namespace OpenTfa.EndToEnd.Tests;

/// <summary>The SMSC goes away while PINs are sent, and comes back.</summary>
public sealed class SmscOutageTests
{
    private static readonly string[] Destinations = [.. Enumerable.Range(1, 5).Select(i => $"4179400000{i}")];

    [Fact]
    public async Task SmscDownFor10Seconds_FivePinsSentMeanwhile_AllDeliveredOnceAfterItReturns()
    {
        SmscProcess smsc = await SmscProcess.StartAsync();
        SmscProcess? restarted = null;
        TestServer? server = null;
        try
        {
            int port = smsc.Port;
            server = await TestServer.StartAsync(Settings.Smpp(port));
            using HttpClient client = server.Client();
            (string app, string template) = await client.CreateAppAndTemplateAsync();
            await Poll.UntilAsync(async () => (await client.ChannelAsync())["state"]!.GetValue<string>() == "BOUND", TimeSpan.FromSeconds(30), () => "the carrier channel bound");

            await smsc.KillAsync();
            var down = Stopwatch.StartNew();
            var pins = new List<string>();
            foreach (string to in Destinations)
            {
                pins.Add(await client.SendPinOkAsync(app, template, to));
            }

            // Every message waits in the outbox, tried and refused for want of a link: by the
            // channel itself, or, once repeated failures opened its circuit, by the dispatcher
            // skipping it (which of the two a message saw last depends on when it was retried).
            foreach (string pinId in pins)
            {
                await Poll.UntilAsync(async () => (await client.MessageStateAsync(pinId))["attempts"]!.GetValue<int>() >= 1, TimeSpan.FromSeconds(30), () => "a failed attempt");
                JsonNode queued = await client.MessageStateAsync(pinId);
                Assert.Equal("QUEUED", queued["state"]!.GetValue<string>());
                string error = queued["error"]!.GetValue<string>();
                Assert.True(error.Contains("NO_LINK: no bound SMPP session", StringComparison.Ordinal) || error.Contains("its circuit is open", StringComparison.Ordinal), error);
            }

            Assert.Equal("CONNECTING", (await client.ChannelAsync())["state"]!.GetValue<string>());
            await Task.Delay(TimeSpan.FromSeconds(10) - down.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
            restarted = await SmscProcess.StartAsync(port);

            foreach (string pinId in pins)
            {
                await client.WaitForStateAsync(pinId, "DELIVERED");
            }

            // A late duplicate would come from a message still queued or being attempted.
            await server.WaitUntilQueuesDrainedAsync();
            List<SmscMessage> received = await restarted.GetMessagesAsync();
            Assert.All(Destinations, to => Assert.Single(received, m => m.DestinationAddr == to));
            Assert.Equal(Destinations.Length, received.Count);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            await smsc.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }
}
