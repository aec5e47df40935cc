using System.Globalization;
using System.Net;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>The exact limits of a single node hold when the racing requests are spread over three nodes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ConcurrencyAcrossNodesTests(PostgresServer postgres)
{
    [Fact]
    public async Task Verify_200ConcurrentWrongGuessesOverThreeNodes_ExactlyFiveWrongPin()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync(Api.Application(attempts: 5));
        string to = Api.Number(3, 1);
        string pinId = await cluster[1].Client.SendPinOkAsync(app, template, to);
        string pin = await cluster.WaitForPinAsync(to);
        string wrong = pin == "0000" ? "1111" : "0000";

        Reply[] replies = await Api.RaceAsync(200, i => cluster[i % 3].Client.VerifyAsync(pinId, wrong));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal([0, 1, 2, 3, 4], replies.Where(r => r.PinError == "WRONG_PIN").Select(r => r.AttemptsRemaining).Order());
        Assert.Equal(195, replies.Count(r => r.PinError == "NO_MORE_PIN_ATTEMPTS" && r.AttemptsRemaining == 0));
        Assert.Equal("NO_MORE_PIN_ATTEMPTS", (await cluster[2].Client.VerifyAsync(pinId, pin)).PinError);
    }

    [Fact]
    public async Task Verify_50ConcurrentCorrectVerifiesOfSingleUsePinOverThreeNodes_ExactlyOneVerified()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync(Api.Application(allowMultiple: false));
        string to = Api.Number(3, 2);
        string pinId = await cluster[1].Client.SendPinOkAsync(app, template, to);
        string pin = await cluster.WaitForPinAsync(to);

        Reply[] replies = await Api.RaceAsync(50, i => cluster[i % 3].Client.VerifyAsync(pinId, pin));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(replies, r => r.Verified);
        Assert.Equal(49, replies.Count(r => r.PinError == "NO_MORE_PIN_ATTEMPTS" && r.AttemptsRemaining == 0));
    }

    [Fact]
    public async Task Send_100ConcurrentSendsToOneNumberOverThreeNodesUnder3Per1d_Exactly3Accepted()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync(Api.Application(phoneLimit: "3/1d"));
        string to = Api.Number(3, 3);

        Reply[] replies = await Api.RaceAsync(100, i => cluster[i % 3].Client.SendPinAsync(app, template, to));

        Assert.Equal(3, replies.Count(r => r.Status == HttpStatusCode.OK));
        Reply[] refused = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToArray();
        Assert.Equal(97, refused.Length);
        Assert.All(refused, r => Assert.True(int.Parse(r.Response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1));

        // Exactly the three accepted PINs leave, whichever nodes deliver them.
        await cluster.WaitForDeliveriesAsync(all => all.Count(d => d.To == to) >= 3, () => "fewer than 3 deliveries");
        Assert.Equal(3, cluster.Deliveries.Count(d => d.To == to));
        Reply status = await cluster[2].Client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn={to}");
        Assert.Equal(3, status.Json["verifications"]!.AsArray().Count);
    }

    [Fact]
    public async Task Send_300ConcurrentSendsToDistinctNumbersOverThreeNodesUnder100PerApplication_Exactly100Accepted()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync(Api.Application(applicationLimit: "100/1h"));

        // Each node leases slices of the application's window; the last slots are decided under its lock.
        Reply[] replies = await Api.RaceAsync(300, i => cluster[i % 3].Client.SendPinAsync(app, template, Api.Number(4, i)));

        Assert.Equal(100, replies.Count(r => r.Status == HttpStatusCode.OK));
        Reply[] refused = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToArray();
        Assert.Equal(200, refused.Length);
        Assert.All(refused, r => Assert.InRange(int.Parse(r.Response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture), 3500, 3600));

        // Nothing is left over in any node's lease: the window is full for all of them.
        for (int node = 0; node < 3; node++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, (await cluster[node].Client.SendPinAsync(app, template, Api.Number(4, 300 + node))).Status);
        }
    }
}
