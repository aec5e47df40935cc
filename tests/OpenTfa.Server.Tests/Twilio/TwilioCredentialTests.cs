using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Core.Security;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>HTTP Basic as Twilio's libraries send it: which user names go with a key, and what a refusal looks like.</summary>
public sealed class TwilioCredentialTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Basic_WithTheApiKeySidOfAManageKey_ListsAndCreatesServices()
    {
        Reply created = await Server.Client().PostJsonAsync("/opentfa/v1/keys", """{"name":"twilio-lib","scopes":["2fa:manage"]}""").OkAsync();
        string keyId = created.Str("keyId");
        HttpClient client = Server.Twilio(TwilioSids.ApiKey(keyId), created.Str("key"));

        Reply listed = await client.GetJsonAsync("/v2/Services");
        Reply service = await client.PostFormAsync("/v2/Services", ("FriendlyName", "By key SID"));

        Assert.Equal(TwilioSids.ApiKey(keyId), created.Str("twilioSid"));
        Assert.Equal(HttpStatusCode.OK, listed.Status);
        Assert.Equal((HttpStatusCode.Created, TwilioSids.Account(Tenant.OperatorId)), (service.Status, service.Str("account_sid")));
    }

    [Fact]
    public async Task Basic_WithTheBootstrapKeysListedApiKeySid_IsAccepted()
    {
        JsonArray keys = (await Server.Client().GetJsonAsync("/opentfa/v1/keys").OkAsync()).Json.AsArray();
        string sid = keys.Single(k => k!["keyId"]!.GetValue<string>() == ApiKeyFormat.OperatorChosenKeyId)!["twilioSid"]!.GetValue<string>();

        Reply listed = await Server.Twilio(sid).GetJsonAsync("/v2/Services");

        Assert.Equal(HttpStatusCode.OK, listed.Status);
    }

    [Fact]
    public async Task Basic_WithTheRightKeyButAMadeUpAccountSid_Answers401With20003AndABasicChallenge()
    {
        Reply refused = (await Server.Twilio("ACxxx").GetJsonAsync("/v2/Services")).IsError(HttpStatusCode.Unauthorized, 20003);

        Assert.Equal("Basic realm=\"OpenTfa\"", refused.Response.Headers.WwwAuthenticate.Single().ToString());
    }

    [Fact]
    public async Task Basic_WithTheApiKeySidOfAnotherKey_Answers401()
    {
        string otherKeyId = (await Server.Client().PostJsonAsync("/opentfa/v1/keys", """{"name":"other","scopes":["2fa:manage"]}""").OkAsync()).Str("keyId");

        Reply refused = await Server.Twilio(TwilioSids.ApiKey(otherKeyId)).GetJsonAsync("/v2/Services");

        refused.IsError(HttpStatusCode.Unauthorized, 20003);
    }

    [Fact]
    public async Task NoCredentials_Answer401With20003AndABasicChallenge_OnEveryTwilioResource()
    {
        HttpClient anonymous = TestServer.ClientFor(Server.BaseAddress, key: null);
        string service = await Server.Twilio().CreateServiceAsync();

        foreach (Reply reply in new[]
        {
            await anonymous.GetJsonAsync("/v2/Services"),
            await anonymous.PostFormAsync($"/v2/Services/{service}/Verifications", ("To", "+41793027301"), ("Channel", "sms")),
            await anonymous.PostFormAsync($"/v2/Services/{service}/VerificationCheck", ("To", "+41793027301"), ("Code", "123456")),
            await anonymous.GetJsonAsync($"/v2/Services/{service}/RateLimits"),
        })
        {
            reply.IsError(HttpStatusCode.Unauthorized, 20003);
            Assert.Equal("Basic realm=\"OpenTfa\"", reply.Response.Headers.WwwAuthenticate.Single().ToString());
        }
    }

    [Fact]
    public async Task AppScheme_WithAWrongKey_IsRefusedInTwiliosShape()
    {
        HttpClient wrong = Server.Client(key: TestServer.BootstrapKey + "-not");

        (await wrong.GetJsonAsync("/v2/Services")).IsError(HttpStatusCode.Unauthorized, 20003);
    }

    [Fact]
    public async Task AppScheme_StartsAndChecksTwilioVerifications()
    {
        HttpClient client = Server.Client();
        string service = await client.CreateServiceAsync();

        Reply started = await client.StartedAsync(service, "+41793027302");
        string code = (await Server.TextToAsync("41793027302"))[^6..];
        Reply approved = await client.CheckAsync(service, ("VerificationSid", started.Str("sid")), ("Code", code));

        Assert.Equal(("approved", true), (approved.Str("status"), approved.Json["valid"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task ASendKey_OnAnotherTenantsRateLimits_IsNotFoundRatherThanForbidden()
    {
        HttpClient admin = Server.Client();
        string tenant = await admin.CreateTenantAsync("twilio-rl-foreign");
        string foreign = await TestServer.ClientFor(Server.BaseAddress, await admin.CreateKeyAsync("\"2fa:manage\"", tenant)).CreateServiceAsync();
        HttpClient narrow = TestServer.ClientFor(Server.BaseAddress, await admin.CreateKeyAsync("\"2fa:pin:send\""));
        string mine = await Server.Twilio().CreateServiceAsync();

        (await narrow.GetJsonAsync($"/v2/Services/{foreign}/RateLimits")).IsError(HttpStatusCode.NotFound, 20404);
        (await narrow.PostFormAsync($"/v2/Services/{foreign}/RateLimits", ("UniqueName", "ip"))).IsError(HttpStatusCode.NotFound, 20404);
        (await narrow.GetJsonAsync($"/v2/Services/{mine}/RateLimits")).IsError(HttpStatusCode.Forbidden, 20403);
        (await narrow.CheckAsync(foreign, ("To", "+41793027303"), ("Code", "123456"))).IsError(HttpStatusCode.NotFound, 20404);
    }
}
