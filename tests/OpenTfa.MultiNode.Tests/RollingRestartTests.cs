using System.Collections.Concurrent;
using System.Net;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>
/// A rolling upgrade replaces nodes one at a time while the others serve. Here the "new" node is
/// the same build as the old one (this repository has one build), so what is checked is the
/// restart under load on one schema: a node stopped with SIGTERM and started again (re-running
/// the migration check at start-up) while another node takes continuous traffic without a 5xx.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RollingRestartTests(PostgresServer postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task NodeARestarts_WhileNodeBTakesContinuousSendsAndVerifies_NoAnswerIsA5xx()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 2);
        ServerNode a = cluster[0];
        ServerNode b = cluster[1];
        (string app, string template) = await b.Client.CreateAppAndTemplateAsync();
        string before = Api.Number(7, 0);
        string beforePinId = await b.Client.SendPinOkAsync(app, template, before);
        string beforePin = await cluster.WaitForPinAsync(before);

        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        int sequence = 0;
        Task[] load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                string to = Api.Number(8, Interlocked.Increment(ref sequence));
                Reply send = await b.Client.SendPinAsync(app, template, to);
                statuses.Add(send.Status);
                if (send.Status == HttpStatusCode.OK)
                {
                    statuses.Add((await b.Client.VerifyAsync(send.Str("pinId"), "0000")).Status);
                }
            }
        })).ToArray();

        await WaitForCountAsync(statuses, 20);
        int port = a.Port;
        Assert.Equal(0, await cluster.StopNodeAsync(a));
        int duringStop = statuses.Count;
        ServerNode restarted = await cluster.StartNodeAsync("A", port: port);
        int atRestart = statuses.Count;
        await WaitForCountAsync(statuses, atRestart + 20);
        await stop.CancelAsync();
        await Task.WhenAll(load);
        output.WriteLine($"{statuses.Count} requests to node B; {atRestart - duringStop} of them while node A was down or starting.");

        Assert.DoesNotContain(statuses, s => (int)s >= 500);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.True(atRestart - duringStop > 0, "no request reached node B while node A was starting");

        // The restarted node serves the same data: a PIN sent on B before the restart verifies on it.
        Reply verify = await restarted.Client.VerifyAsync(beforePinId, beforePin);
        Assert.True(verify.Verified, verify.ToString());
        string after = Api.Number(7, 1);
        string afterPinId = await restarted.Client.SendPinOkAsync(app, template, after);
        Assert.True((await b.Client.VerifyAsync(afterPinId, await cluster.WaitForPinAsync(after))).Verified);
    }

    private static Task WaitForCountAsync(ConcurrentBag<HttpStatusCode> statuses, int count) =>
        Poll.UntilAsync(() => statuses.Count >= count, TimeSpan.FromSeconds(30), () => $"{statuses.Count} answers, not {count}");
}
