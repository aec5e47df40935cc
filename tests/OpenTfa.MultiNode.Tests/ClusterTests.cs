using System.Net;
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
        Api.Reply verify = await cluster[1].Client.VerifyAsync(pinId, pin);

        Assert.Equal(HttpStatusCode.OK, verify.Status);
        Assert.True(verify.Verified, verify.ToString());
        Assert.Equal(to, verify.Str("msisdn"));
    }
}
