using System.Net;
using System.Net.Sockets;
using OpenTfa.Delivery.Smpp.Tests.Integration;
using OpenTfa.EndToEnd.Tests.Infrastructure;

namespace OpenTfa.EndToEnd.Tests;

/// <summary>The server process killed (SIGKILL) with messages in its outbox, then started again on the same data.</summary>
public sealed class ProcessKillTests
{
    private static readonly string[] Destinations = ["41796000001", "41796000002", "41796000003"];

    [Fact]
    public async Task KilledWithMessagesQueued_RestartedOnTheSameData_EverySmsLeavesExactlyOnce()
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "opentfa-e2e", Guid.NewGuid().ToString("N"));
        int smscPort = FreePort();
        Dictionary<string, string?> environment = Settings.AsEnvironment(Settings.Smpp(smscPort));
        environment["OpenTfa__DataDirectory"] = dataDirectory;
        ServerProcess? first = null;
        ServerProcess? second = null;
        SmscProcess? smsc = null;
        try
        {
            // No SMSC listens yet: the messages can only wait in the outbox.
            first = await ServerProcess.StartAsync(environment);
            var pins = new List<string>();
            using (HttpClient client = first.Client())
            {
                (string app, string template) = await client.CreateAppAndTemplateAsync();
                foreach (string to in Destinations)
                {
                    pins.Add(await client.SendPinOkAsync(app, template, to));
                }

                foreach (string pinId in pins)
                {
                    await Poll.UntilAsync(async () => (await client.MessageStateAsync(pinId))["attempts"]!.GetValue<int>() >= 1, TimeSpan.FromSeconds(30), () => "a failed attempt");
                    Assert.Equal("QUEUED", (await client.MessageStateAsync(pinId))["state"]!.GetValue<string>());
                }
            }

            await first.KillAsync();
            smsc = await SmscProcess.StartAsync(smscPort);
            second = await ServerProcess.StartAsync(environment);

            using (HttpClient client = second.Client())
            {
                foreach (string pinId in pins)
                {
                    await client.WaitForStateAsync(pinId, "DELIVERED");
                }

                // A late duplicate would come from a message still queued or being attempted.
                await Scrape.QueuesDrainedAsync(client);
            }

            List<SmscMessage> received = await smsc.GetMessagesAsync();
            Assert.All(Destinations, to => Assert.Single(received, m => m.DestinationAddr == to));
            Assert.Equal(Destinations.Length, received.Count);
        }
        finally
        {
            if (first is not null)
            {
                await first.DisposeAsync();
            }

            if (second is not null)
            {
                await second.DisposeAsync();
            }

            if (smsc is not null)
            {
                await smsc.DisposeAsync();
            }

            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the temp folder's own clean-up.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
