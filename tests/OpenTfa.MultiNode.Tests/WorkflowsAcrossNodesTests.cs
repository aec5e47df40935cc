using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>
/// Fallback workflow steps run once each when three nodes sharing PostgreSQL race for them, and
/// go on when a node dies holding some of them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkflowsAcrossNodesTests(PostgresServer postgres)
{
    private const string ThreeSteps = """{"steps":[{"channel":"sms","waitSeconds":1},{"channel":"voice","waitSeconds":1},{"channel":"sms"}]}""";

    private static IReadOnlyDictionary<string, string> Fast(int node) => new Dictionary<string, string>
    {
        ["OpenTfa__Workflows__PollInterval"] = "00:00:00.05",
        ["OpenTfa__Workflows__Lease"] = "00:00:02",
    };

    private static async Task<(string App, string Template)> WorkflowAppAsync(Cluster cluster)
    {
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        Reply put = await cluster[1].Client.PutJsonAsync($"/opentfa/v1/applications/{app}/workflow", ThreeSteps);
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        return (app, template);
    }

    /// <summary>Waits until every PIN has had all three steps, then a while longer, and answers each PIN's messages.</summary>
    private static async Task<JsonArray[]> SettledMessagesAsync(Cluster cluster, IReadOnlyList<string> pinIds)
    {
        foreach (string pinId in pinIds)
        {
            await Poll.UntilAsync(() => cluster.Nodes[0].Client.MessagesAsync(pinId), m => m.Count >= 3, TimeSpan.FromSeconds(30),
                m => $"PIN {pinId} never had its three steps: {m.ToJsonString()}");
        }

        // Long enough for a second run of any step (a lease ending, a late claim) to show.
        await Task.Delay(TimeSpan.FromSeconds(3));
        return await Task.WhenAll(pinIds.Select(p => cluster.Nodes[^1].Client.MessagesAsync(p)));
    }

    private static void AssertEachStepOnce(JsonArray[] messages)
    {
        Assert.All(messages, m => Assert.Equal(["1:sms", "2:voice", "3:sms"], m.Select(x => $"{x!["step"]}:{x["channel"]}").ToArray()));
    }

    [Fact]
    public async Task ThreeNodesRacingForTheSameSteps_RunEachStepOnce()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3, Fast);
        (string app, string template) = await WorkflowAppAsync(cluster);

        Reply[] sends = await Api.RaceAsync(30, i => cluster[i % 3].Client.SendPinAsync(app, template, Api.Number(7, i)));
        string[] pinIds = [.. sends.Select(r => r.Str("pinId"))];

        AssertEachStepOnce(await SettledMessagesAsync(cluster, pinIds));
        Assert.All(Enumerable.Range(0, 30), i => Assert.Equal(3, cluster.Deliveries.Count(d => d.To == Api.Number(7, i))));
    }

    [Fact]
    public async Task ANodeKilledMidWorkflow_TheOthersFinishEveryWorkflowOnce()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3, Fast);
        (string app, string template) = await WorkflowAppAsync(cluster);
        ServerNode victim = cluster[0];
        string[] pinIds = [.. await Task.WhenAll(Enumerable.Range(0, 12).Select(i => victim.Client.SendPinOkAsync(app, template, Api.Number(8, i))))];

        // Killed like kill -9 while it may hold claims on the second steps; its leases run out.
        await Task.Delay(TimeSpan.FromMilliseconds(900));
        Process.GetProcessById(victim.Pid).Kill();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await cluster.StopNodeAsync(victim);

        AssertEachStepOnce(await SettledMessagesAsync(cluster, pinIds));
    }
}
