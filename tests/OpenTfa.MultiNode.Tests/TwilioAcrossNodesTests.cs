using System.Net;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>The Twilio surface keeps its guarantees when the racing requests are spread over three nodes sharing PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TwilioAcrossNodesTests(PostgresServer postgres)
{
    private const string Form = "application/x-www-form-urlencoded";

    [Fact]
    public async Task Start_40ConcurrentStartsToOneNumberOverThreeNodes_OneVerificationWithExactlyFiveSends()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        string service = (await cluster[0].Client.SendAsync(HttpMethod.Post, "/v2/Services", "FriendlyName=Across+nodes", Form)).Str("sid");
        string to = "%2B" + Api.Number(5, 1);

        Reply[] replies = await Api.RaceAsync(40, i => cluster[i % 3].Client.SendAsync(HttpMethod.Post, $"/v2/Services/{service}/Verifications", $"To={to}&Channel=sms", Form));

        Reply[] started = [.. replies.Where(r => r.Status == HttpStatusCode.Created)];
        Assert.Equal(5, started.Length);
        Assert.Single(started.Select(r => r.Str("sid")).Distinct());
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.Status);
            Assert.True((int)r.Json["code"]! is 60203 or 60212, r.ToString());
        });
        string pinId = started[0].Str("sid")[2..].ToUpperInvariant();
        Assert.Equal(5, (await cluster[1].Client.MessagesAsync(pinId)).Count);
    }

    [Fact]
    public async Task Start_ABucketOfFourRacedOverThreeNodes_AdmitsExactlyFour()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 3);
        string service = (await cluster[0].Client.SendAsync(HttpMethod.Post, "/v2/Services", "FriendlyName=Buckets", Form)).Str("sid");
        string rateLimit = (await cluster[1].Client.SendAsync(HttpMethod.Post, $"/v2/Services/{service}/RateLimits", "UniqueName=end_user_ip_address", Form)).Str("sid");
        Reply bucket = await cluster[2].Client.SendAsync(HttpMethod.Post, $"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets", "Max=4&Interval=600", Form);
        Assert.Equal(HttpStatusCode.Created, bucket.Status);
        string limits = Uri.EscapeDataString("""{"end_user_ip_address":"203.0.113.9"}""");

        Reply[] replies = await Api.RaceAsync(45, i =>
            cluster[i % 3].Client.SendAsync(HttpMethod.Post, $"/v2/Services/{service}/Verifications", $"To=%2B{Api.Number(5, 100 + i)}&Channel=sms&RateLimits={limits}", Form));

        Assert.Equal(4, replies.Count(r => r.Status == HttpStatusCode.Created));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r => Assert.Equal((HttpStatusCode.TooManyRequests, 20429), (r.Status, (int)r.Json["code"]!)));
    }
}
