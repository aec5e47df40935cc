using System.Diagnostics;
using System.Net;
using OpenTfa.Core.Tenancy;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>
/// A change made on one node is obeyed by the others: applications and templates are read from
/// the store on every request; API keys are cached per node for at most
/// <see cref="AccessService.KeyCacheDuration"/>, the documented bound for a revocation.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ConsistencyAcrossNodesTests(PostgresServer postgres, ITestOutputHelper output)
{
    /// <summary>Room for the HTTP round trips that observe the change (on a busy machine) on top of the documented bound.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task ApplicationDisabledOnNodeA_NodeBRefusesSendsAndVerifies_WithinTheBound()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 2);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        string pinId = await cluster[1].Client.SendPinOkAsync(app, template, Api.Number(4, 1));

        Reply disable = await cluster[0].Client.PutJsonAsync($"/2fa/2/applications/{app}", Api.Application(enabled: false));
        Assert.Equal(HttpStatusCode.OK, disable.Status);
        var sinceDisabled = Stopwatch.StartNew();
        await Poll.UntilAsync(
            async () => (await cluster[1].Client.SendPinAsync(app, template, Api.Number(4, 2))).Status == HttpStatusCode.Forbidden,
            AccessService.KeyCacheDuration + Slack - sinceDisabled.Elapsed,
            () => $"Not obeyed within {(AccessService.KeyCacheDuration + Slack).TotalSeconds} s.");
        output.WriteLine($"Node B refused sends {sinceDisabled.ElapsedMilliseconds} ms after node A disabled the application.");

        Reply send = await cluster[1].Client.SendPinAsync(app, template, Api.Number(4, 3));
        Assert.Equal(HttpStatusCode.Forbidden, send.Status);
        Assert.Contains("disabled", send.Json["requestError"]!["serviceException"]!["text"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Forbidden, (await cluster[1].Client.VerifyAsync(pinId, "0000")).Status);

        Assert.Equal(HttpStatusCode.OK, (await cluster[0].Client.PutJsonAsync($"/2fa/2/applications/{app}", Api.Application(enabled: true))).Status);
        Assert.Equal(HttpStatusCode.OK, (await cluster[1].Client.SendPinAsync(app, template, Api.Number(4, 4))).Status);
    }

    [Fact]
    public async Task TemplateChangedOnNodeA_NextSendOnNodeBUsesTheNewText()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 2);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        await cluster[1].Client.SendPinOkAsync(app, template, Api.Number(4, 10));
        Assert.StartsWith("Your pin is ", (await cluster.WaitForDeliveriesAsync([Api.Number(4, 10)])).Single().Text, StringComparison.Ordinal);

        Reply update = await cluster[0].Client.PutJsonAsync($"/2fa/2/applications/{app}/messages/{template}", """{"messageText":"Your new code is {{pin}}"}""");
        Assert.Equal(HttpStatusCode.OK, update.Status);
        await cluster[1].Client.SendPinOkAsync(app, template, Api.Number(4, 11));

        DeliveredMessage delivery = (await cluster.WaitForDeliveriesAsync([Api.Number(4, 11)])).Single();
        Assert.Matches("^Your new code is [0-9]{4}$", delivery.Text);
    }

    [Fact]
    public async Task KeyRevokedOnNodeA_NodeARefusesAtOnce_NodeBWithinTheKeyCacheBound()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 2);
        Reply created = await cluster[0].Client.PostJsonAsync("/opentfa/v1/keys", """{"name":"to revoke","scopes":["2fa:manage","2fa:pin:send"]}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        string key = created.Str("key");

        // Both nodes now hold the key in their caches; node B's entry is no older than this clock.
        Assert.Equal(HttpStatusCode.OK, (await cluster[0].Client.GetJsonAsync("/2fa/2/applications", key)).Status);
        var sinceCachedOnB = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await cluster[1].Client.GetJsonAsync("/2fa/2/applications", key)).Status);

        Reply revoked = await cluster[0].Client.SendAsync(HttpMethod.Delete, $"/opentfa/v1/keys/{created.Str("keyId")}");
        Assert.Equal(HttpStatusCode.OK, revoked.Status);
        var sinceRevoked = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, (await cluster[0].Client.GetJsonAsync("/2fa/2/applications", key)).Status);

        await Poll.UntilAsync(
            async () => (await cluster[1].Client.GetJsonAsync("/2fa/2/applications", key)).Status == HttpStatusCode.Unauthorized,
            AccessService.KeyCacheDuration + Slack - sinceCachedOnB.Elapsed,
            () => $"Not obeyed within {(AccessService.KeyCacheDuration + Slack).TotalSeconds} s.");
        output.WriteLine($"Node B refused the revoked key {sinceRevoked.ElapsedMilliseconds} ms after node A revoked it, " +
            $"{sinceCachedOnB.ElapsedMilliseconds} ms after it had cached it (bound: {AccessService.KeyCacheDuration.TotalSeconds} s).");
        Assert.Equal(HttpStatusCode.Unauthorized, (await cluster[1].Client.GetJsonAsync("/2fa/2/applications", key)).Status);
    }
}
