using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>Several nodes on one database behave as one service.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresServer postgres)
{
    [Fact]
    public async Task SendOnNodeA_VerifyOnNodeB_Verified()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 2);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        string to = Api.Number(1, 1);

        string pinId = await cluster[0].Client.SendPinOkAsync(app, template, to);
        string pin = await cluster.WaitForPinAsync(to);
        Reply verify = await cluster[1].Client.VerifyAsync(pinId, pin);

        Assert.Equal(HttpStatusCode.OK, verify.Status);
        Assert.True(verify.Verified, verify.ToString());
        Assert.Equal(to, verify.Str("msisdn"));
    }

    [Fact]
    public async Task Outbox_60PinsSentAcrossThreeNodes_EachDeliveredExactlyOnce_ByEveryNode()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        string[] numbers = Enumerable.Range(0, 60).Select(i => Api.Number(2, i)).ToArray();

        string[] pinIds = await Task.WhenAll(numbers.Select((to, i) => cluster[i % 3].Client.SendPinOkAsync(app, template, to)));
        await cluster.WaitForDeliveriesAsync(numbers);

        // Once a message is recorded as submitted no node claims it again, so the count below is final.
        foreach ((string pinId, int i) in pinIds.Select((p, i) => (p, i)))
        {
            JsonNode message = Assert.Single(await cluster[(i + 1) % 3].Client.MessagesAsync(pinId))!;
            Assert.Equal("SUBMITTED", message["state"]!.GetValue<string>());
            Assert.Equal(1, message["attempts"]!.GetValue<int>());
        }

        IReadOnlyList<DeliveredMessage> deliveries = cluster.Deliveries;
        Assert.All(numbers, to => Assert.Single(deliveries, d => d.To == to));
        Assert.Equal(60, deliveries.Count);
        Assert.All(cluster.Nodes, node => Assert.NotEmpty(node.Deliveries));
    }
}
