using System.Net;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Server.Tests.Security;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>The Twilio surface under racing requests, on both stores: caps and buckets hold exactly, and a verification ends once (one approval or cancel wins, the others find it gone).</summary>
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

        Reply[] replies = await Api.RaceAsync(20, _ => client.StartAsync(service, "+41793027201"));

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

        Reply[] replies = await Api.RaceAsync(12, _ => client.CheckAsync(service, ("VerificationSid", sid), ("Code", wrong)));

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

        Reply[] replies = await Api.RaceAsync(30, i => client.StartAsync(service, $"+417930273{i:D2}", ("RateLimits", """{"session":"s-42"}""")));

        Assert.Equal(7, replies.Count(r => r.Status == HttpStatusCode.Created));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r => r.IsError(HttpStatusCode.TooManyRequests, 20429));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Check_TenRacingRightCodes_ApproveOnce_AndTheOthersFindTheVerificationGone(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027701")).Str("sid");
        string code = TwilioApi.CodeIn(await server.TextToAsync("41793027701"));

        Reply[] replies = await Api.RaceAsync(10, _ => client.CheckAsync(service, ("VerificationSid", sid), ("Code", code)));

        Reply approved = Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.Equal(("approved", true), (approved.Str("status"), approved.Json["valid"]!.GetValue<bool>()));
        Assert.All(replies.Where(r => r != approved), r => r.IsError(HttpStatusCode.NotFound, 20404));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Update_TenRacingApprovals_ApproveOnce_AndTheOthersAre404(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027702")).Str("sid");

        Reply[] replies = await Api.RaceAsync(10, _ => client.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}", ("Status", "approved")));

        Assert.Equal("approved", Assert.Single(replies, r => r.Status == HttpStatusCode.OK).Str("status"));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => r.IsError(HttpStatusCode.NotFound, 20404));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task CancelsRacingRightCodes_EndTheVerificationOnce_AndTheLosersAre404(string store)
    {
        TestServer server = stores.Server(store);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027703")).Str("sid");
        string code = TwilioApi.CodeIn(await server.TextToAsync("41793027703"));

        Reply[] replies = await Api.RaceAsync(10, i => i % 2 == 0
            ? client.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}", ("Status", "canceled"))
            : client.CheckAsync(service, ("VerificationSid", sid), ("Code", code)));

        Reply winner = Assert.Single(replies, r => r.Status == HttpStatusCode.OK);
        Assert.True(winner.Str("status") is "approved" or "canceled", winner.ToString());
        Assert.All(replies.Where(r => r != winner), r => r.IsError(HttpStatusCode.NotFound, 20404));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RateLimit_TenRacingCreatesOfOneName_MakeExactlyOne(string store)
    {
        HttpClient client = stores.Server(store).Twilio();
        string service = await client.CreateServiceAsync();

        Reply[] replies = await Api.RaceAsync(10, _ => client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "end_user_ip_address")));

        Assert.Single(replies, r => r.Status == HttpStatusCode.Created);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.Created), r => r.IsError(HttpStatusCode.BadRequest, 60200));
        Assert.Single((await client.GetJsonAsync($"/v2/Services/{service}/RateLimits").OkAsync()).Json["rate_limits"]!.AsArray());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Service_FiveRacingDeletes_DeleteItOnce(string store)
    {
        HttpClient client = stores.Server(store).Twilio();
        string service = await client.CreateServiceAsync();
        await client.StartedAsync(service, "+41793027704");

        Reply[] replies = await Api.RaceAsync(5, _ => client.RemoveAsync($"/v2/Services/{service}"));

        Assert.Single(replies, r => r.Status == HttpStatusCode.NoContent);
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.NoContent), r => r.IsError(HttpStatusCode.NotFound, 20404));
    }
}
