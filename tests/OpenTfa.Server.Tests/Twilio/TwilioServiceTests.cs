using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>Authentication as Twilio's libraries send it, services on applications, paged lists, and rate limits with their buckets.</summary>
public sealed class TwilioServiceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Basic_TakesTheKeyWithTheAccountSidOrItsApiKeySid_AndNothingElse()
    {
        HttpClient admin = Server.Client();
        string key = await admin.CreateKeyAsync("\"2fa:pin:send\"");
        string keyId = key.Split('_')[1];
        string tenant = await admin.CreateTenantAsync("twilio-other");
        JsonNode operatorTenant = (await admin.GetJsonAsync("/opentfa/v1/tenants").OkAsync()).Json.AsArray().First(t => t!["tenantId"]!.GetValue<string>() == "operator")!;

        Assert.Equal(TwilioSids.Account("operator"), operatorTenant["twilioAccountSid"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Server.Twilio().GetJsonAsync("/v2/Services")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Server.Twilio(TwilioSids.ApiKey(keyId), key).GetJsonAsync("/v2/Services")).Status);
        Reply wrongUser = (await Server.Twilio(TwilioSids.Account(tenant)).GetJsonAsync("/v2/Services")).IsError(HttpStatusCode.Unauthorized, 20003);
        Assert.Equal("Basic realm=\"OpenTfa\"", wrongUser.Response.Headers.WwwAuthenticate.Single().ToString());
        (await Server.Twilio(key: TestServer.BootstrapKey + "x").GetJsonAsync("/v2/Services")).IsError(HttpStatusCode.Unauthorized, 20003);
        (await TestServer.ClientFor(Server.BaseAddress, key: null).GetJsonAsync("/v2/Services")).IsError(HttpStatusCode.Unauthorized, 20003);
        Assert.Equal(HttpStatusCode.OK, (await Server.Client().GetJsonAsync("/v2/Services")).Status);
    }

    [Fact]
    public async Task Scopes_ANarrowKeyIsRefused_ButAForeignServiceIsNotFoundFirst()
    {
        HttpClient admin = Server.Client();
        string sendOnly = await admin.CreateKeyAsync("\"2fa:pin:send\"");
        HttpClient narrow = TestServer.ClientFor(Server.BaseAddress, sendOnly);
        string mine = await Server.Twilio().CreateServiceAsync();
        string other = await admin.CreateTenantAsync("twilio-foreign");
        string foreignKey = await admin.CreateKeyAsync("\"2fa:manage\"", other);
        string foreign = await TestServer.ClientFor(Server.BaseAddress, foreignKey).CreateServiceAsync();

        (await narrow.PostFormAsync("/v2/Services", ("FriendlyName", "x"))).IsError(HttpStatusCode.Forbidden, 20403);
        (await narrow.GetJsonAsync($"/v2/Services/{mine}")).IsError(HttpStatusCode.Forbidden, 20403);
        (await narrow.GetJsonAsync($"/v2/Services/{foreign}")).IsError(HttpStatusCode.NotFound, 20404);
        (await narrow.StartAsync(foreign, "+41793027101")).IsError(HttpStatusCode.NotFound, 20404);
        Assert.Equal(HttpStatusCode.Created, (await narrow.StartAsync(mine, "+41793027101")).Status);
    }

    [Fact]
    public async Task Services_AreApplications_CreatedFetchedUpdatedAndDeletedOnEverySurface()
    {
        HttpClient client = Server.Twilio();
        Reply created = await client.PostFormAsync("/v2/Services", ("FriendlyName", "Initech Login"), ("CodeLength", "7"), ("LookupEnabled", "true"));
        string sid = created.Str("sid");
        string appId = TwilioApi.PinId(sid);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Matches("^VA[0-9a-f]{32}$", sid);
        JsonNode s = created.Json;
        Assert.Equal(("Initech Login", 7, true, false, true, false, false), (s["friendly_name"]!.GetValue<string>(), s["code_length"]!.GetValue<int>(),
            s["lookup_enabled"]!.GetValue<bool>(), s["skip_sms_to_landlines"]!.GetValue<bool>(), s["dtmf_input_required"]!.GetValue<bool>(),
            s["psd2_enabled"]!.GetValue<bool>(), s["custom_code_enabled"]!.GetValue<bool>()));
        Assert.Equal(TwilioSids.Account("operator"), s["account_sid"]!.GetValue<string>());
        Assert.EndsWith($"/v2/Services/{sid}/RateLimits", s["links"]!["rate_limits"]!.GetValue<string>(), StringComparison.Ordinal);
        JsonNode application = (await Server.Client().GetJsonAsync($"/2fa/2/applications/{appId}").OkAsync()).Json;
        Assert.Equal(("Initech Login", 5, "10m", false), (application["name"]!.GetValue<string>(), application["configuration"]!["pinAttempts"]!.GetValue<int>(),
            application["configuration"]!["pinTimeToLive"]!.GetValue<string>(), application["configuration"]!["allowMultiplePinVerifications"]!.GetValue<bool>()));

        Reply updated = await client.PostFormAsync($"/v2/Services/{sid}", ("FriendlyName", "Initech"), ("CodeLength", "5"), ("DoNotShareWarningEnabled", "true"));
        JsonNode fetched = (await client.GetJsonAsync($"/v2/Services/{sid}").OkAsync()).Json;
        foreach (JsonNode answer in new[] { updated.Json, fetched })
        {
            Assert.Equal(("Initech", 5, true, true), (answer["friendly_name"]!.GetValue<string>(), answer["code_length"]!.GetValue<int>(),
                answer["lookup_enabled"]!.GetValue<bool>(), answer["do_not_share_warning_enabled"]!.GetValue<bool>()));
        }

        await client.StartedAsync(sid, "+41793027110");
        Assert.Matches(@"^Your Initech verification code is: \d{5}\nDon't share this code", await Server.TextToAsync("41793027110"));

        Assert.Equal(HttpStatusCode.NoContent, (await client.RemoveAsync($"/v2/Services/{sid}")).Status);
        (await client.GetJsonAsync($"/v2/Services/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
        Assert.Equal(HttpStatusCode.NotFound, (await Server.Client().GetJsonAsync($"/2fa/2/applications/{appId}")).Status);
        (await client.RemoveAsync($"/v2/Services/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
    }

    [Fact]
    public async Task AnInfobipApplication_IsAServiceWithTwiliosDefaults_AndSendsTwilioVerifications()
    {
        string appId = await Server.Client().CreateApplicationAsync(Api.RoomyApplication());
        string sid = "VA" + appId.ToLowerInvariant();
        HttpClient client = Server.Twilio();

        JsonNode service = (await client.GetJsonAsync($"/v2/Services/{sid}").OkAsync()).Json;
        Reply started = await client.StartedAsync(sid, "+41793027111");

        Assert.Equal(6, service["code_length"]!.GetValue<int>());
        Assert.Equal("pending", started.Str("status"));
        Assert.Matches(@"^Your .+ verification code is: \d{6}$", await Server.TextToAsync("41793027111"));
    }

    [Fact]
    public async Task Services_BadSettings_AreRefusedByName()
    {
        HttpClient client = Server.Twilio();

        foreach ((string Name, string Value)[] form in new[]
        {
            new[] { ("CodeLength", "6") },
            [("FriendlyName", new string('x', 33))],
            [("FriendlyName", "x"), ("CodeLength", "3")],
            [("FriendlyName", "x"), ("CodeLength", "11")],
            [("FriendlyName", "x"), ("CodeLength", "six")],
            [("FriendlyName", "x"), ("LookupEnabled", "maybe")],
            [("FriendlyName", "x"), ("Totp.Issuer", "Acme")],
            [("FriendlyName", "x"), ("DefaultTemplateSid", "HX1")],
        })
        {
            Reply refused = (await client.PostFormAsync("/v2/Services", form)).IsError(HttpStatusCode.BadRequest, 60200);
            Assert.Contains(form[^1].Name == "FriendlyName" || form.Length == 1 ? "FriendlyName" : form[^1].Name, refused.Str("message"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lists_ArePagedWithTwiliosMeta_AndNextPageUrlsWalkEveryService()
    {
        HttpClient admin = Server.Client();
        string tenant = await admin.CreateTenantAsync("twilio-pages");
        HttpClient client = TestServer.ClientFor(Server.BaseAddress, await admin.CreateKeyAsync("\"2fa:manage\"", tenant));
        var created = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            created.Add(await client.CreateServiceAsync(("FriendlyName", $"Page {i}")));
        }

        var seen = new List<string>();
        string? next = "/v2/Services?PageSize=2";
        int pages = 0;
        while (next is not null)
        {
            JsonNode page = (await client.GetJsonAsync(next).OkAsync()).Json;
            JsonNode meta = page["meta"]!;
            Assert.Equal(("services", 2, pages), (meta["key"]!.GetValue<string>(), meta["page_size"]!.GetValue<int>(), meta["page"]!.GetValue<int>()));
            seen.AddRange(page["services"]!.AsArray().Select(s => s!["sid"]!.GetValue<string>()));
            next = meta["next_page_url"]?.GetValue<string>();
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(seen, (await client.GetJsonAsync("/v2/Services").OkAsync()).Json["services"]!.AsArray().Select(s => s!["sid"]!.GetValue<string>()));
        (await client.GetJsonAsync("/v2/Services?PageSize=0")).IsError(HttpStatusCode.BadRequest, 60200);
    }

    [Fact]
    public async Task RateLimits_AndBuckets_HaveTheirLifecycle_AndABucketLimitsStarts()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string path = $"/v2/Services/{service}/RateLimits";

        Reply rateLimit = await client.PostFormAsync(path, ("UniqueName", "end_user_ip_address"), ("Description", "By IP"));
        string rl = rateLimit.Str("sid");
        Reply bucket = await client.PostFormAsync($"{path}/{rl}/Buckets", ("Max", "2"), ("Interval", "60"));
        string bl = bucket.Str("sid");
        string limits = """{"end_user_ip_address":"203.0.113.7"}""";
        Reply[] starts = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(i => client.StartAsync(service, $"+4179302712{i}", ("RateLimits", limits))))];
        Reply otherKey = await client.StartAsync(service, "+41793027123", ("RateLimits", """{"end_user_ip_address":"198.51.100.1"}"""));

        Assert.Equal((HttpStatusCode.Created, "end_user_ip_address", "By IP"), (rateLimit.Status, rateLimit.Str("unique_name"), rateLimit.Str("description")));
        Assert.Matches("^RL[0-9a-f]{32}$", rl);
        Assert.Equal((HttpStatusCode.Created, 2, 60, rl), (bucket.Status, bucket.Json["max"]!.GetValue<int>(), bucket.Json["interval"]!.GetValue<int>(), bucket.Str("rate_limit_sid")));
        Assert.Matches("^BL[0-9a-f]{32}$", bl);
        Assert.Equal(2, starts.Count(r => r.Status == HttpStatusCode.Created));
        Assert.True(starts.Single(r => r.Status != HttpStatusCode.Created).IsError(HttpStatusCode.TooManyRequests, 20429).Response.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.Created, otherKey.Status);

        (await client.PostFormAsync(path, ("UniqueName", "end_user_ip_address"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"{path}/{rl}/Buckets", ("Max", "0"), ("Interval", "60"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"{path}/{rl}/Buckets", ("Max", "5"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027124", ("RateLimits", """{"unknown":"x"}"""))).IsError(HttpStatusCode.BadRequest, 60200);
        Assert.Equal("By user", (await client.PostFormAsync($"{path}/{rl}", ("Description", "By user"))).Str("description"));
        Assert.Equal(4, (await client.PostFormAsync($"{path}/{rl}/Buckets/{bl}", ("Max", "4"))).Json["max"]!.GetValue<int>());
        Assert.Equal(rl, Assert.Single((await client.GetJsonAsync(path).OkAsync()).Json["rate_limits"]!.AsArray())!["sid"]!.GetValue<string>());
        Assert.Equal(bl, Assert.Single((await client.GetJsonAsync($"{path}/{rl}/Buckets").OkAsync()).Json["buckets"]!.AsArray())!["sid"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await client.StartAsync(service, "+41793027125", ("RateLimits", limits))).Status);

        Assert.Equal(HttpStatusCode.NoContent, (await client.RemoveAsync(path + "/" + rl)).Status);
        (await client.GetJsonAsync($"{path}/{rl}/Buckets/{bl}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.StartAsync(service, "+41793027126", ("RateLimits", limits))).IsError(HttpStatusCode.BadRequest, 60200);
    }
}
