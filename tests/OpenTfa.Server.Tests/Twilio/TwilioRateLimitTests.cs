using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>Rate limits and their buckets as resources, and how the buckets admit or refuse starts that name them.</summary>
public sealed class TwilioRateLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task RateLimit_IsCreatedFetchedAndListed_InTwiliosShape()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string path = $"/v2/Services/{service}/RateLimits";

        Reply created = await client.PostFormAsync(path, ("UniqueName", "end_user_phone_number"), ("Description", "Per phone"));
        string sid = created.Str("sid");
        Reply fetched = await client.GetJsonAsync($"{path}/{sid}").OkAsync();
        JsonNode page = (await client.GetJsonAsync(path).OkAsync()).Json;

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Matches("^RL[0-9a-f]{32}$", sid);
        Assert.Equal((service, "end_user_phone_number", "Per phone"), (created.Str("service_sid"), created.Str("unique_name"), created.Str("description")));
        string url = created.Str("url");
        Assert.EndsWith($"/v2/Services/{service}/RateLimits/{sid}", url, StringComparison.Ordinal);
        Assert.Equal($"{url}/Buckets", created.Json["links"]!["buckets"]!.GetValue<string>());
        Assert.Equal(created.Json.ToJsonString(), fetched.Json.ToJsonString());
        Assert.Equal("rate_limits", page["meta"]!["key"]!.GetValue<string>());
        Assert.Equal(sid, Assert.Single(page["rate_limits"]!.AsArray())!["sid"]!.GetValue<string>());
    }

    [Fact]
    public async Task RateLimit_WithoutOrWithABadUniqueName_IsRefusedByName()
    {
        HttpClient client = Server.Twilio();
        string path = $"/v2/Services/{await client.CreateServiceAsync()}/RateLimits";

        Reply missing = (await client.PostFormAsync(path, ("Description", "x"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply spaced = (await client.PostFormAsync(path, ("UniqueName", "has space"))).IsError(HttpStatusCode.BadRequest, 60200);
        await client.PostFormAsync(path, ("UniqueName", "ip"));
        Reply duplicate = (await client.PostFormAsync(path, ("UniqueName", "ip"))).IsError(HttpStatusCode.BadRequest, 60200);

        Assert.All([missing, spaced, duplicate], r => Assert.Contains("`UniqueName`", r.Str("message"), StringComparison.Ordinal));
        Assert.Single((await client.GetJsonAsync(path).OkAsync()).Json["rate_limits"]!.AsArray());
    }

    [Fact]
    public async Task Bucket_IsCreatedFetchedListedAndUpdated_WithNumbersAsJsonNumbers()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "ip"))).Str("sid");
        string path = $"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets";

        Reply created = await client.PostFormAsync(path, ("Max", "10"), ("Interval", "86400"));
        string sid = created.Str("sid");
        Reply updated = await client.PostFormAsync($"{path}/{sid}", ("Interval", "3600"));
        Reply fetched = await client.GetJsonAsync($"{path}/{sid}").OkAsync();
        JsonNode page = (await client.GetJsonAsync(path).OkAsync()).Json;

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Matches("^BL[0-9a-f]{32}$", sid);
        Assert.Equal((JsonValueKind.Number, JsonValueKind.Number), (created.Json["max"]!.GetValueKind(), created.Json["interval"]!.GetValueKind()));
        Assert.Equal((10, 86400, rateLimit, service), (created.Json["max"]!.GetValue<int>(), created.Json["interval"]!.GetValue<int>(),
            created.Str("rate_limit_sid"), created.Str("service_sid")));
        Assert.Equal((10, 3600), (updated.Json["max"]!.GetValue<int>(), updated.Json["interval"]!.GetValue<int>()));
        Assert.Equal(updated.Json.ToJsonString(), fetched.Json.ToJsonString());
        Assert.Equal("buckets", page["meta"]!["key"]!.GetValue<string>());
        Assert.Equal(sid, Assert.Single(page["buckets"]!.AsArray())!["sid"]!.GetValue<string>());
        Assert.EndsWith($"{path}/{sid}", created.Str("url"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bucket_BadNumbers_AreRefusedByName()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "ip"))).Str("sid");
        string path = $"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets";
        string bucket = (await client.PostFormAsync(path, ("Max", "3"), ("Interval", "60"))).Str("sid");

        foreach ((string Name, string Value)[] form in new[]
        {
            new[] { ("Max", "0"), ("Interval", "60") },
            [("Max", "x"), ("Interval", "60")],
            [("Max", "5")],
            [("Interval", "60")],
            [("Max", "5"), ("Interval", "0")],
        })
        {
            Reply refused = (await client.PostFormAsync(path, form)).IsError(HttpStatusCode.BadRequest, 60200);
            string named = form.Length == 1 ? (form[0].Name == "Max" ? "Interval" : "Max") : form.First(f => f.Value is "0" or "x").Name;
            Assert.Contains($"`{named}`", refused.Str("message"), StringComparison.Ordinal);
        }

        (await client.PostFormAsync($"{path}/{bucket}", ("Max", "0"))).IsError(HttpStatusCode.BadRequest, 60200);
        Assert.Equal(3, (await client.GetJsonAsync($"{path}/{bucket}").OkAsync()).Json["max"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bucket_IsOnlyReachableUnderItsOwnRateLimit()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string path = $"/v2/Services/{service}/RateLimits";
        string ip = (await client.PostFormAsync(path, ("UniqueName", "ip"))).Str("sid");
        string user = (await client.PostFormAsync(path, ("UniqueName", "user"))).Str("sid");
        string bucket = (await client.PostFormAsync($"{path}/{ip}/Buckets", ("Max", "3"), ("Interval", "60"))).Str("sid");

        (await client.GetJsonAsync($"{path}/{user}/Buckets/{bucket}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"{path}/{user}/Buckets/{bucket}", ("Max", "9"))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.RemoveAsync($"{path}/{user}/Buckets/{bucket}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"{path}/{bucket}")).IsError(HttpStatusCode.NotFound, 20404);
        Assert.Empty((await client.GetJsonAsync($"{path}/{user}/Buckets").OkAsync()).Json["buckets"]!.AsArray());
        Assert.Equal(3, (await client.GetJsonAsync($"{path}/{ip}/Buckets/{bucket}").OkAsync()).Json["max"]!.GetValue<int>());
    }

    [Fact]
    public async Task ABucket_RefusesTheStartPastItsMaxWith20429_OnlyForItsKey_UntilItIsDeleted()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "end_user_ip_address"))).Str("sid");
        string bucketPath = $"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets";
        string bucket = (await client.PostFormAsync(bucketPath, ("Max", "2"), ("Interval", "60"))).Str("sid");
        (string, string) ip = ("RateLimits", """{"end_user_ip_address":"203.0.113.7"}""");

        await client.StartedAsync(service, "+41793027501", ip);
        await client.StartedAsync(service, "+41793027502", ip);
        Reply third = (await client.StartAsync(service, "+41793027503", ip)).IsError(HttpStatusCode.TooManyRequests, 20429);
        await client.StartedAsync(service, "+41793027503", ("RateLimits", """{"end_user_ip_address":"203.0.113.8"}"""));
        await client.StartedAsync(service, "+41793027504");

        Assert.InRange(third.Response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.NoContent, (await client.RemoveAsync($"{bucketPath}/{bucket}")).Status);
        (await client.GetJsonAsync($"{bucketPath}/{bucket}")).IsError(HttpStatusCode.NotFound, 20404);
        await client.StartedAsync(service, "+41793027505", ip);
        await client.StartedAsync(service, "+41793027506", ip);
    }

    [Fact]
    public async Task ARateLimitNamedAgain_AfterItsDeletion_StartsWithoutTheOldBuckets()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string path = $"/v2/Services/{service}/RateLimits";
        string old = (await client.PostFormAsync(path, ("UniqueName", "device"))).Str("sid");
        string bucket = (await client.PostFormAsync($"{path}/{old}/Buckets", ("Max", "1"), ("Interval", "3600"))).Str("sid");
        (string, string) device = ("RateLimits", """{"device":"d-1"}""");
        await client.StartedAsync(service, "+41793027511", device);
        (await client.StartAsync(service, "+41793027512", device)).IsError(HttpStatusCode.TooManyRequests, 20429);

        Assert.Equal(HttpStatusCode.NoContent, (await client.RemoveAsync($"{path}/{old}")).Status);
        (await client.GetJsonAsync($"{path}/{old}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"{path}/{old}/Buckets")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"{path}/{old}/Buckets/{bucket}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.StartAsync(service, "+41793027512", device)).IsError(HttpStatusCode.BadRequest, 60200);
        string again = (await client.PostFormAsync(path, ("UniqueName", "device"))).Str("sid");

        Assert.NotEqual(old, again);
        Assert.Empty((await client.GetJsonAsync($"{path}/{again}/Buckets").OkAsync()).Json["buckets"]!.AsArray());
        await client.StartedAsync(service, "+41793027512", device);
        await client.StartedAsync(service, "+41793027513", device);
    }

    [Fact]
    public async Task RateLimitsParameter_TakesNumbersAsKeys_AndRefusesEverythingElseByName()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "user_id"))).Str("sid");
        await client.PostFormAsync($"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets", ("Max", "1"), ("Interval", "3600"));

        await client.StartedAsync(service, "+41793027521", ("RateLimits", """{"user_id":42}"""));
        (await client.StartAsync(service, "+41793027522", ("RateLimits", """{"user_id":"42"}"""))).IsError(HttpStatusCode.TooManyRequests, 20429);

        foreach (string bad in new[] { "not json", "[\"user_id\"]", """{"user_id":{}}""", """{"user_id":null}""", """{"user_id":""}""", """{"nobody":"1"}""" })
        {
            Reply refused = (await client.StartAsync(service, "+41793027523", ("RateLimits", bad))).IsError(HttpStatusCode.BadRequest, 60200);
            Assert.Contains("`RateLimits`", refused.Str("message"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TwoBucketsOfOneRateLimit_BothHold()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string rateLimit = (await client.PostFormAsync($"/v2/Services/{service}/RateLimits", ("UniqueName", "ip"))).Str("sid");
        await client.PostFormAsync($"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets", ("Max", "5"), ("Interval", "60"));
        await client.PostFormAsync($"/v2/Services/{service}/RateLimits/{rateLimit}/Buckets", ("Max", "2"), ("Interval", "86400"));
        (string, string) ip = ("RateLimits", """{"ip":"198.51.100.9"}""");

        await client.StartedAsync(service, "+41793027531", ip);
        await client.StartedAsync(service, "+41793027532", ip);

        (await client.StartAsync(service, "+41793027533", ip)).IsError(HttpStatusCode.TooManyRequests, 20429);
    }
}
