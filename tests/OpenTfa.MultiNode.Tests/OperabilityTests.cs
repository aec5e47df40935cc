using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>What an operator relies on when nodes stop, and when a channel or the store fails.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OperabilityTests(PostgresServer postgres, ITestOutputHelper output)
{
    /// <summary>
    /// Node A's SMS route is an SMPP account whose SMSC is down (nothing listens on its port): the
    /// dispatcher claims a batch and waits up to 20 s for a link, holding the leases of the whole
    /// batch meanwhile. Leases last two minutes, so only a node that hands them back on stop lets
    /// another node deliver its messages promptly.
    /// </summary>
    private static Dictionary<string, string> SmscDown() => new()
    {
        ["OpenTfa__Channels__smsc__Type"] = "smpp",
        ["OpenTfa__Channels__smsc__Host"] = "127.0.0.1",
        ["OpenTfa__Channels__smsc__Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OpenTfa__Channels__smsc__SystemId"] = "opentfa",
        ["OpenTfa__Channels__smsc__Password"] = "secret",
        ["OpenTfa__Channels__smsc__LinkWaitTimeout"] = "00:00:20",
        ["OpenTfa__Channels__log__Type"] = "log",
        ["OpenTfa__Routes__Sms__0"] = "smsc",
        ["OpenTfa__Routes__Voice__0"] = "log",
        ["OpenTfa__Routes__Email__0"] = "log",
        ["OpenTfa__Delivery__SendTimeout"] = "00:00:40",
        ["OpenTfa__Delivery__Lease"] = "00:02:00",
        ["OpenTfa__Delivery__RetryInitialDelay"] = "00:00:00.1",
        ["OpenTfa__Delivery__BatchSize"] = "32",
        ["OpenTfa__Delivery__Parallelism"] = "32",
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };

    [Fact]
    public async Task Sigterm_NodeStopsTakingRequests_FinishesInFlightOnes_HandsBackItsLeases_AndExitsZero()
    {
        // Node A takes 20 PINs while its SMSC is down. Its dispatcher works one batch at a time and
        // is stuck on the first message, so A is restarted: the stop hands that message back, and
        // the new process claims the whole backlog at once.
        var total = Stopwatch.StartNew();
        await using Cluster cluster = await Cluster.StartAsync(postgres, 1, _ => SmscDown());
        ServerNode first = cluster[0];
        (string app, string template) = await first.Client.CreateAppAndTemplateAsync();
        string[] numbers = Enumerable.Range(0, 20).Select(i => Api.Number(5, i)).ToArray();
        await Task.WhenAll(numbers.Select(to => first.Client.SendPinOkAsync(app, template, to)));
        await Poll.UntilAsync(async () => await LeasedAsync(cluster) > 0, TimeSpan.FromSeconds(15), () => "node A has not claimed a message");
        output.WriteLine($"{total.ElapsedMilliseconds} ms: node A has queued {numbers.Length} PINs and claimed a first batch.");
        Assert.Equal(0, await cluster.StopNodeAsync(first));
        Assert.Equal(0, await LeasedAsync(cluster));
        output.WriteLine($"{total.ElapsedMilliseconds} ms: node A stopped; its leases were handed back.");

        ServerNode a = await cluster.StartNodeAsync("A", SmscDown());
        await Poll.UntilAsync(async () => await LeasedAsync(cluster) == numbers.Length, TimeSpan.FromSeconds(15), () => "node A has not claimed every message");
        output.WriteLine($"{total.ElapsedMilliseconds} ms: node A restarted and holds the leases of all {numbers.Length} messages.");

        // An SMSC outage does not take the node out of the load balancer.
        Reply ready = await a.Client.GetJsonAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("ok", ready.Json["details"]!["store"]!.GetValue<string>());

        ServerNode b = await cluster.StartNodeAsync("B");
        output.WriteLine($"{total.ElapsedMilliseconds} ms: node B started.");

        // A request is in flight when the signal arrives: its headers and half of its body are in.
        string inFlightTo = Api.Number(5, 99);
        byte[] body = Encoding.UTF8.GetBytes($$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{inFlightTo}}"}""");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var slowClient = new HttpClient { BaseAddress = a.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var content = new HalfNowHalfLaterContent(body, gate.Task);
        int requestsStarted = a.Lines.Count(IsPostStarting);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2fa/2/pin") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("App", cluster.ApiKey);
        Task<HttpResponseMessage> inFlight = slowClient.SendAsync(request);
        await content.FirstHalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => a.Lines.Count(IsPostStarting) > requestsStarted, TimeSpan.FromSeconds(15), () => "the in-flight request has not started on node A");

        var clock = Stopwatch.StartNew();
        a.Terminate();
        await Poll.UntilAsync(async () => !await AcceptsConnectionsAsync(a), TimeSpan.FromSeconds(15), () => "node A still accepts connections after SIGTERM");
        output.WriteLine($"Node A stopped accepting connections {clock.ElapsedMilliseconds} ms after SIGTERM.");
        Assert.False(a.HasExited, "node A exited before its in-flight request finished");
        Assert.Equal(numbers.Length, await LeasedAsync(cluster));

        gate.SetResult();
        using HttpResponseMessage response = await inFlight;
        string answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer);
        Assert.Equal("MESSAGE_SENT", JsonNode.Parse(answer)!["smsStatus"]!.GetValue<string>());

        Assert.Equal(0, await cluster.StopNodeAsync(a));
        output.WriteLine($"Node A exited with 0 {clock.ElapsedMilliseconds} ms after SIGTERM.");

        string[] all = [.. numbers, inFlightTo];
        await cluster.WaitForDeliveriesAsync(all, TimeSpan.FromSeconds(20));
        output.WriteLine($"Node B delivered all {all.Length} messages {clock.ElapsedMilliseconds} ms after node A's SIGTERM (A's leases last 2 min).");
        await Poll.UntilAsync(async () => await QueuedAsync(cluster) == 0, TimeSpan.FromSeconds(15), () => "messages are still queued");
        Assert.Empty(first.Deliveries);
        Assert.Empty(a.Deliveries);
        Assert.All(all, to => Assert.Equal(b.Name, Assert.Single(cluster.Deliveries, d => d.To == to).Node));
    }

    [Fact]
    public async Task HealthReady_FollowsTheStoreOnly_NotTheChannels()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 1, _ => SmscDown());
        ServerNode node = cluster[0];

        Reply ready = await node.Client.GetJsonAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("ready", ready.Str("status"));

        await postgres.DropDatabaseAsync(cluster.DatabaseName);

        Reply down = await node.Client.GetJsonAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Equal("unavailable", down.Json["details"]!["store"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await node.Client.GetJsonAsync("/health/live")).Status);
    }

    private static bool IsPostStarting(string line) => line.Contains("Request starting HTTP/1.1 POST", StringComparison.Ordinal);

    private static async Task<bool> AcceptsConnectionsAsync(ServerNode node)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, node.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Task<long> LeasedAsync(Cluster cluster) =>
        ScalarAsync(cluster, "SELECT count(*) FROM outbox_messages WHERE state = 'Queued' AND lease_owner IS NOT NULL");

    private static Task<long> QueuedAsync(Cluster cluster) =>
        ScalarAsync(cluster, "SELECT count(*) FROM outbox_messages WHERE state = 'Queued'");

    private static async Task<long> ScalarAsync(Cluster cluster, string sql)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A request body sent in two halves: the first at once, the second when the gate opens.</summary>
    private sealed class HalfNowHalfLaterContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly Task _gate;
        private readonly TaskCompletionSource _firstHalfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HalfNowHalfLaterContent(byte[] body, Task gate)
        {
            _body = body;
            _gate = gate;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        public Task FirstHalfSent => _firstHalfSent.Task;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            int half = _body.Length / 2;
            await stream.WriteAsync(_body.AsMemory(0, half));
            await stream.FlushAsync();
            _firstHalfSent.TrySetResult();
            await _gate;
            await stream.WriteAsync(_body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
