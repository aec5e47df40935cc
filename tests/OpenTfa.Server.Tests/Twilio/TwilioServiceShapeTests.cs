using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>A service as Twilio shapes it: its defaults, its links, its pages, and its life as an OpenTfa application.</summary>
public sealed class TwilioServiceShapeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Create_WithOnlyAFriendlyName_AnswersEveryTwilioDefault()
    {
        HttpClient client = Server.Twilio();

        Reply created = await client.PostFormAsync("/v2/Services", ("FriendlyName", "Defaults"));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        JsonNode s = created.Json;
        string sid = s["sid"]!.GetValue<string>();
        Assert.Matches("^VA[0-9a-f]{32}$", sid);
        Assert.Equal((TwilioSids.Account(Tenant.OperatorId), "Defaults", 6), (s["account_sid"]!.GetValue<string>(), s["friendly_name"]!.GetValue<string>(), s["code_length"]!.GetValue<int>()));
        Assert.Equal((false, false, true, false, false, false), (s["lookup_enabled"]!.GetValue<bool>(), s["skip_sms_to_landlines"]!.GetValue<bool>(),
            s["dtmf_input_required"]!.GetValue<bool>(), s["psd2_enabled"]!.GetValue<bool>(), s["do_not_share_warning_enabled"]!.GetValue<bool>(),
            s["custom_code_enabled"]!.GetValue<bool>()));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", s["date_created"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", s["date_updated"]!.GetValue<string>());
        string url = s["url"]!.GetValue<string>();
        Assert.Equal($"{Server.BaseAddress.GetLeftPart(UriPartial.Authority)}/v2/Services/{sid}", url);
        Assert.Equal(($"{url}/Verifications", $"{url}/VerificationCheck", $"{url}/RateLimits"), (s["links"]!["verifications"]!.GetValue<string>(),
            s["links"]!["verification_checks"]!.GetValue<string>(), s["links"]!["rate_limits"]!.GetValue<string>()));
        Assert.Equal(created.Json.ToJsonString(), (await client.GetJsonAsync($"/v2/Services/{sid}").OkAsync()).Json.ToJsonString());
    }

    [Fact]
    public async Task AnInfobipApplication_IsListedAsAServiceWithTwiliosDefaults()
    {
        HttpClient admin = Server.Client();
        string tenant = await admin.CreateTenantAsync("twilio-listed-app");
        HttpClient client = TestServer.ClientFor(Server.BaseAddress, await admin.CreateKeyAsync("\"2fa:manage\"", tenant));
        string appId = await client.CreateApplicationAsync(Api.RoomyApplication());

        JsonNode page = (await client.GetJsonAsync("/v2/Services").OkAsync()).Json;

        JsonNode service = Assert.Single(page["services"]!.AsArray())!;
        Assert.Equal(("VA" + appId.ToLowerInvariant(), "test", TwilioSids.Account(tenant), 6), (service["sid"]!.GetValue<string>(),
            service["friendly_name"]!.GetValue<string>(), service["account_sid"]!.GetValue<string>(), service["code_length"]!.GetValue<int>()));
        Assert.Equal((false, false, true, false, false, false), (service["lookup_enabled"]!.GetValue<bool>(), service["skip_sms_to_landlines"]!.GetValue<bool>(),
            service["dtmf_input_required"]!.GetValue<bool>(), service["psd2_enabled"]!.GetValue<bool>(), service["do_not_share_warning_enabled"]!.GetValue<bool>(),
            service["custom_code_enabled"]!.GetValue<bool>()));
        Assert.Null(page["meta"]!["next_page_url"]);
        Assert.Equal(("services", 50, 0), (page["meta"]!["key"]!.GetValue<string>(), page["meta"]!["page_size"]!.GetValue<int>(), page["meta"]!["page"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Delete_TakesTheServiceOffTheApplicationList_AndItsVerificationsAndRateLimitsWithIt()
    {
        HttpClient client = Server.Twilio();
        string sid = await client.CreateServiceAsync(("FriendlyName", "Short lived"));
        string appId = TwilioApi.PinId(sid);
        Assert.Contains(appId, await ApplicationIdsAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await client.RemoveAsync($"/v2/Services/{sid}")).Status);

        Assert.DoesNotContain(appId, await ApplicationIdsAsync());
        Assert.DoesNotContain(sid, (await client.GetJsonAsync("/v2/Services?PageSize=1000").OkAsync()).Json["services"]!.AsArray().Select(s => s!["sid"]!.GetValue<string>()));
        (await client.StartAsync(sid, "+41793027310")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"/v2/Services/{sid}/RateLimits")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{sid}", ("FriendlyName", "Back"))).IsError(HttpStatusCode.NotFound, 20404);
    }

    [Fact]
    public async Task Update_RefusesABlankOrLongNameAndBadValues_AndLeavesTheServiceAsItWas()
    {
        HttpClient client = Server.Twilio();
        string sid = await client.CreateServiceAsync(("FriendlyName", "Kept"), ("CodeLength", "8"));

        (await client.PostFormAsync($"/v2/Services/{sid}", ("FriendlyName", " "))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"/v2/Services/{sid}", ("FriendlyName", new string('x', 33)))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"/v2/Services/{sid}", ("CodeLength", "12"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"/v2/Services/{sid}", ("Psd2Enabled", "yes"))).IsError(HttpStatusCode.BadRequest, 60200);

        JsonNode service = (await client.GetJsonAsync($"/v2/Services/{sid}").OkAsync()).Json;
        Assert.Equal(("Kept", 8, false), (service["friendly_name"]!.GetValue<string>(), service["code_length"]!.GetValue<int>(), service["psd2_enabled"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Update_OnlyTheGivenSettingsChange()
    {
        HttpClient client = Server.Twilio();
        string sid = await client.CreateServiceAsync(("FriendlyName", "Partial"), ("CodeLength", "7"), ("LookupEnabled", "true"));

        Reply updated = await client.PostFormAsync($"/v2/Services/{sid}", ("Psd2Enabled", "true"));

        Assert.Equal(("Partial", 7, true, true), (updated.Str("friendly_name"), updated.Json["code_length"]!.GetValue<int>(),
            updated.Json["lookup_enabled"]!.GetValue<bool>(), updated.Json["psd2_enabled"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task TheAuditTrail_NamesTheServicesApplication_ForItsCreationUpdateAndDeletion()
    {
        HttpClient client = Server.Twilio();
        string sid = await client.CreateServiceAsync(("FriendlyName", "Audited"));
        string appId = TwilioApi.PinId(sid);
        await client.PostFormAsync($"/v2/Services/{sid}", ("FriendlyName", "Audited again"));
        await client.RemoveAsync($"/v2/Services/{sid}");

        JsonArray audit = (await Server.Client().GetJsonAsync("/opentfa/v1/audit?limit=1000").OkAsync()).Json.AsArray();

        string[] actions = [.. audit.Where(e => e!["targetId"]?.GetValue<string>() == appId).Select(e => e!["action"]!.GetValue<string>()).Reverse()];
        Assert.Equal(["application.created", "application.updated", "application.deleted"], actions);
    }

    [Fact]
    public async Task Pages_WalkedByPageNumber_ShowTheirNeighbours()
    {
        HttpClient admin = Server.Client();
        string tenant = await admin.CreateTenantAsync("twilio-neighbours");
        HttpClient client = TestServer.ClientFor(Server.BaseAddress, await admin.CreateKeyAsync("\"2fa:manage\"", tenant));
        for (int i = 0; i < 5; i++)
        {
            await client.CreateServiceAsync(("FriendlyName", $"N{i}"));
        }

        // The list's order (creation time, then id) is what pages cut; services made in the same
        // millisecond may come in either order, so the pages are compared with the whole list.
        string[] all = Names((await client.GetJsonAsync("/v2/Services").OkAsync()).Json);
        JsonNode last = (await client.GetJsonAsync("/v2/Services?PageSize=2&Page=2").OkAsync()).Json;
        JsonNode middle = (await client.GetJsonAsync("/v2/Services?PageSize=2&Page=1").OkAsync()).Json;

        Assert.Equal(["N0", "N1", "N2", "N3", "N4"], all.Order());
        Assert.Equal(all[4..], Names(last));
        Assert.Null(last["meta"]!["next_page_url"]);
        Assert.Equal(all[2..4], Names(middle));
        Assert.Equal(all[..2], Names((await client.GetJsonAsync(middle["meta"]!["previous_page_url"]!.GetValue<string>()).OkAsync()).Json));
        Assert.Equal(all[..2], Names((await client.GetJsonAsync(middle["meta"]!["first_page_url"]!.GetValue<string>()).OkAsync()).Json));
        (await client.GetJsonAsync("/v2/Services?PageSize=1001")).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.GetJsonAsync("/v2/Services?PageSize=two")).IsError(HttpStatusCode.BadRequest, 60200);
    }

    private static string[] Names(JsonNode page) => [.. page["services"]!.AsArray().Select(s => s!["friendly_name"]!.GetValue<string>())];

    private async Task<string[]> ApplicationIdsAsync() =>
        [.. (await Server.Client().GetJsonAsync("/2fa/2/applications").OkAsync()).Json.AsArray().Select(a => a!["applicationId"]!.GetValue<string>())];
}
