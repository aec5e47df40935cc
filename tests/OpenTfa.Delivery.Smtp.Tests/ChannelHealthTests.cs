using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTfa.Delivery.Smtp.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Smtp.Tests;

/// <summary>
/// What an operator sees of SMTP channels through the real server and a real SMTP server: a
/// relay's answers about one recipient stay with that message, a relay that fails is skipped
/// with a warning, and both show in <c>/opentfa/v1/channels</c> and the metrics.
/// </summary>
[Collection(SmtpCollection.Name)]
public sealed partial class ChannelHealthTests(SmtpPeerFixture fixture)
{
    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private Dictionary<string, string?> MailChannel(string name) => new()
    {
        [$"OpenTfa:Channels:{name}:Type"] = "smtp",
        [$"OpenTfa:Channels:{name}:Host"] = "127.0.0.1",
        [$"OpenTfa:Channels:{name}:Port"] = Port(fixture.Peer.StartTlsPort),
        [$"OpenTfa:Channels:{name}:Security"] = "StartTls",
        [$"OpenTfa:Channels:{name}:AllowInvalidCertificate"] = "true",
        [$"OpenTfa:Channels:{name}:Username"] = SmtpPeer.User,
        [$"OpenTfa:Channels:{name}:Password"] = SmtpPeer.Password,
        [$"OpenTfa:Channels:{name}:From"] = "OpenTfa <no-reply@opentfa.test>",
        ["OpenTfa:Channels:dev:Type"] = "log",
        ["OpenTfa:Routes:Sms:0"] = "dev",
        ["OpenTfa:Routes:Voice:0"] = "dev",

        // Two failures in a row would open a circuit, for an hour: long enough to notice.
        ["OpenTfa:Delivery:BreakerFailureThreshold"] = "2",
        ["OpenTfa:Delivery:BreakerOpenDuration"] = "01:00:00",
    };

    private static async Task<string> SendAsync(HttpClient client, (string App, string Template) email, string to) =>
        (await client.PostOkAsync("/2fa/2/pin/email", $$"""{"applicationId":"{{email.App}}","messageId":"{{email.Template}}","to":"{{to}}"}"""))["pinId"]!.GetValue<string>();

    private static string Unique(string local) => $"{local}-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task RecipientsTheRelayRefuses_FailOrWaitAlone_OthersStillGetMail_AndTheChannelStaysHealthy()
    {
        Dictionary<string, string?> settings = MailChannel("mail");
        settings["OpenTfa:Routes:Email:0"] = "mail";
        await using TestServer server = await TestServer.StartAsync(settings);
        using HttpClient client = server.Client();
        (string App, string Template) email = await client.CreateEmailApplicationAsync();
        string[] greylisted = [Unique("reject450"), Unique("reject450"), Unique("reject452")];
        string[] unknown = [Unique("reject550"), Unique("reject550")];

        string[] waiting = await Task.WhenAll(greylisted.Select(to => SendAsync(client, email, to)));
        string[] refused = await Task.WhenAll(unknown.Select(to => SendAsync(client, email, to)));
        foreach (string pinId in refused)
        {
            Assert.StartsWith("mail: SMTP 550", (await client.WaitForMessageStateAsync(pinId, "FAILED"))["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        foreach (string pinId in waiting)
        {
            JsonNode retried = await WaitForAttemptsAsync(client, pinId, 2);
            Assert.Equal("QUEUED", retried["state"]!.GetValue<string>());
            Assert.StartsWith("mail: SMTP 45", retried["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        string welcome = Unique("jane");
        string sent = await SendAsync(client, email, welcome);
        await fixture.Peer.WaitForMessageAsync(welcome);
        Assert.Equal("mail", (await client.WaitForMessageStateAsync(sent, "SUBMITTED"))["channelName"]!.GetValue<string>());

        JsonNode mail = await ChannelAsync(client, "mail");
        Assert.Equal(("smtp", "READY"), (mail["type"]!.GetValue<string>(), mail["state"]!.GetValue<string>()));
        Assert.Equal(("CLOSED", 0), (mail["circuit"]!["state"]!.GetValue<string>(), mail["circuit"]!["consecutiveFailures"]!.GetValue<int>()));
        JsonNode counters = mail["counters"]!;
        Assert.Equal((1L, 2L), (counters["submitted"]!.GetValue<long>(), counters["failed"]!.GetValue<long>()));
        Assert.True(counters["retried"]!.GetValue<long>() >= 2 * greylisted.Length, counters.ToJsonString());
        Assert.StartsWith("SMTP ", mail["lastError"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        string metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(0, Sample(metrics, "opentfa_channel_circuit_open", ("channel_name", "mail")));
        Assert.Equal(1, Sample(metrics, "opentfa_channel_up", ("channel_name", "mail")));
        Assert.Equal(2, Sample(metrics, "opentfa_channel_sends_total", ("channel_name", "mail"), ("outcome", "failed")));
        Assert.Equal(1, Sample(metrics, "opentfa_channel_sends_total", ("channel_name", "mail"), ("outcome", "submitted")));
        Assert.DoesNotContain(server.Logs.Lines, e => e.Contains("circuit opened", StringComparison.Ordinal));
        Assert.All(greylisted.Concat(unknown), to => Assert.DoesNotContain(server.Logs.Lines, e => e.Contains(to, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task RelayThatIsDown_IsSkippedWithAWarningNamingItAndWhy_AndReportsItsCountersAndLastError()
    {
        int closed = FreePort.Next();
        Dictionary<string, string?> settings = MailChannel("mail");
        settings["OpenTfa:Channels:down:Type"] = "smtp";
        settings["OpenTfa:Channels:down:Host"] = "127.0.0.1";
        settings["OpenTfa:Channels:down:Port"] = Port(closed);
        settings["OpenTfa:Channels:down:Security"] = "None";
        settings["OpenTfa:Channels:down:From"] = "OpenTfa <no-reply@opentfa.test>";
        settings["OpenTfa:Routes:Email:0"] = "down";
        settings["OpenTfa:Routes:Email:1"] = "mail";
        await using TestServer server = await TestServer.StartAsync(settings);
        using HttpClient client = server.Client();
        (string App, string Template) email = await client.CreateEmailApplicationAsync();

        var messageIds = new List<string>();
        foreach (string to in new[] { Unique("first"), Unique("second"), Unique("third") })
        {
            JsonNode state = await client.WaitForMessageStateAsync(await SendAsync(client, email, to), "SUBMITTED");
            Assert.Equal(("mail", 1), (state["channelName"]!.GetValue<string>(), state["attempts"]!.GetValue<int>()));
            await fixture.Peer.WaitForMessageAsync(to);
            messageIds.Add(state["messageId"]!.GetValue<string>());
        }

        // The first two messages failed over; the circuit opened with the second, so the third went straight on.
        string[] failovers = server.Logs.Lines.Where(e => e.StartsWith("Warning", StringComparison.Ordinal) && e.Contains("trying mail", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, failovers.Length);
        Assert.All(failovers.Zip(messageIds), f =>
        {
            Assert.Contains($"Message {f.Second} (Email): channel down failed for now", f.First, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{closed}", f.First, StringComparison.Ordinal);
        });
        Assert.Single(server.Logs.Lines, e => e.StartsWith("Warning", StringComparison.Ordinal) && e.Contains("Channel down: circuit opened", StringComparison.Ordinal));

        JsonNode down = await ChannelAsync(client, "down");
        Assert.Equal(("READY", "OPEN", 2), (down["state"]!.GetValue<string>(), down["circuit"]!["state"]!.GetValue<string>(), down["circuit"]!["consecutiveFailures"]!.GetValue<int>()));
        Assert.Equal((0L, 0L, 2L), (down["counters"]!["submitted"]!.GetValue<long>(), down["counters"]!["failed"]!.GetValue<long>(), down["counters"]!["retried"]!.GetValue<long>()));
        Assert.Contains($"127.0.0.1:{closed}", down["lastError"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(messageIds[1], down["lastError"]!["messageId"]!.GetValue<string>());
        JsonNode mail = await ChannelAsync(client, "mail");
        Assert.Equal(("CLOSED", 3L), (mail["circuit"]!["state"]!.GetValue<string>(), mail["counters"]!["submitted"]!.GetValue<long>()));
        Assert.Null(mail["lastError"]);

        string metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(2, Sample(metrics, "opentfa_channel_sends_total", ("channel_name", "down"), ("outcome", "retried")));
        Assert.Equal(3, Sample(metrics, "opentfa_channel_sends_total", ("channel_name", "mail"), ("outcome", "submitted")));
        Assert.Equal(1, Sample(metrics, "opentfa_channel_circuit_open", ("channel_name", "down")));
        Assert.True(Sample(metrics, "opentfa_channel_last_error_time_seconds", ("channel_name", "down")) > 0);
        Assert.Equal(0, Sample(metrics, "opentfa_channel_last_error_time_seconds", ("channel_name", "mail")));
    }

    private static async Task<JsonNode> ChannelAsync(HttpClient client, string name) =>
        (await client.OkAsync(HttpMethod.Get, "/opentfa/v1/channels")).AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    private static Task<JsonNode> WaitForAttemptsAsync(HttpClient client, string pinId, int attempts) =>
        client.WaitForMessageAsync(pinId, m => m["attempts"]?.GetValue<int>() >= attempts, $"get tried {attempts} times");

    /// <summary>The sum of the Prometheus samples named <paramref name="name"/> that carry every given label.</summary>
    private static double Sample(string exposition, string name, params (string Key, string Value)[] labels) =>
        exposition.Split('\n')
            .Select(line => SampleLine().Match(line))
            .Where(m => m.Success && m.Groups["name"].Value == name && labels.All(l => m.Groups["labels"].Value.Contains($"{l.Key}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>.*)\}\s+(?<value>\S+)""")]
    private static partial Regex SampleLine();
}
