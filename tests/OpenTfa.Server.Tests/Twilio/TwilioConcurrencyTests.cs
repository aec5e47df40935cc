using System.Net;
using OpenTfa.Server.Tests.Security;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>The Twilio surface's caps and buckets hold exactly under racing requests, on both stores.</summary>
public sealed class TwilioConcurrencyTests(BothStoresFixture stores) : IClassFixture<BothStoresFixture>
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Start_20RacingStartsToOneNumber_OneVerificationWithExactlyFiveSends(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply[] replies = await RaceAsync(20, _ => client.StartAsync(service, "+41793027201"));

        Reply[] started = [.. replies.Where(r => r.Status == HttpStatusCode.Created)];
        Assert.Equal(5, started.Length);
        string sid = Assert.Single(started.Select(r => r.Str("sid")).Distinct());
        Assert.All(replies.Except(started), r => Assert.True(r.Status == HttpStatusCode.TooManyRequests && (int)r.Json["code"]! is 60203 or 60212, r.ToString()));
        Assert.Equal(5, (await server.Client().GetJsonAsync($"/opentfa/v1/pins/{TwilioApi.PinId(sid)}/messages").OkAsync()).Json.AsArray().Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Check_12RacingWrongCodes_SpendExactlyTheFiveAttempts(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027202")).Str("sid");
        string code = (await server.TextToAsync("41793027202"))[^6..];
        string wrong = code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

        Reply[] replies = await RaceAsync(12, _ => client.CheckAsync(service, ("VerificationSid", sid), ("Code", wrong)));

        Assert.Equal(["max_attempts_reached", "pending", "pending", "pending", "pending"], replies.Where(r => r.Status == HttpStatusCode.OK).Select(r => r.Str("status")).Order());
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.IsError(HttpStatusCode.TooManyRequests, 60202));
        (await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code))).IsError(HttpStatusCode.TooManyRequests, 60202);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Bucket_OfSeven_AdmitsExactlySevenOf30RacingStarts(string store)
    {
        HttpClient client = stores.Server(store).Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "session"))).Str("sid");
        await client.PostFormAsync($"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets", ("Max", "7"), ("Interval", "3600"));

        Reply[] replies = await RaceAsync(30, i => client.StartAsync(service, $"+417930273{i:D2}", ("RateLimits", """{"session":"s-42"}""")));

        Assert.Equal(7, replies.Count(r => r.Status == HttpStatusCode.Created));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r => r.IsError(HttpStatusCode.TooManyRequests, 20429));
    }

    /// <summary>Starts every call at once; none may answer a 5xx.</summary>
    private static async Task<Reply[]> RaceAsync(int count, Func<int, Task<Reply>> call)
    {
        using var start = new SemaphoreSlim(0);
        Task<Reply>[] calls = [.. Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync();
            return await call(i);
        })];
        start.Release(count);
        Reply[] replies = await Task.WhenAll(calls);
        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        return replies;
    }
}
