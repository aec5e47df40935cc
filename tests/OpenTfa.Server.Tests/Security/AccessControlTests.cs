using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Routing;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Security;

/// <summary>Deny by default: every endpoint needs a scoped key unless it is on the one anonymous list.</summary>
public sealed class AccessControlTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>
    /// The endpoints anyone may reach: liveness and bare readiness (load balancers), the API's
    /// description and its reference page (public documentation, no data), and the gateway
    /// callbacks, which authenticate each request by its own signature or token; the web console's
    /// page, its assets and its sign-in (the session it starts is checked like a key).
    /// Adding an anonymous endpoint means adding it here, in review.
    /// </summary>
    private static readonly string[] Anonymous =
    [
        "/health/live",
        "/health/ready",
        "/openapi/{documentName}.json",
        "/docs/{documentName?}",
        "/docs/scalar.js",
        "/docs/scalar.aspnetcore.js",
        "/docs/favicon.svg",
        "/opentfa/v1/callbacks/kannel/{channel}",
        "/opentfa/v1/callbacks/twilio/{channel}",
        "/opentfa/v1/callbacks/twilio/{channel}/gather",
        "/opentfa/v1/callbacks/vonage/{channel}/input",
        "/opentfa/v1/callbacks/telegram/{channel}",
        "/opentfa/v1/callbacks/whatsapp/{channel}",
        "/console",
        "/console/{**path}",
        "/console/assets/{name}",
        "/console/api/session",
    ];

    /// <summary>Endpoints open to any valid key, whatever its scopes; reviewed like the anonymous list.</summary>
    private static readonly string[] AnyValidKey = ["/opentfa/v1/version", "/console/api/session"];

    private readonly TestServer _server = fixture.Server;

    [Fact]
    public void RouteTable_EveryEndpoint_NeedsAScopeOrIsOnTheAnonymousList()
    {
        RouteEndpoint[] endpoints = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        Assert.True(endpoints.Length > 40, $"only {endpoints.Length} endpoints found");

        var anonymousSeen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RouteEndpoint endpoint in endpoints)
        {
            string pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                Assert.True(Anonymous.Contains(pattern), $"{endpoint.DisplayName} ({pattern}) is anonymous but not on the reviewed list");
                anonymousSeen.Add(pattern);
                continue;
            }

            string[] policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? string.Empty).ToArray();
            if (AnyValidKey.Contains(pattern))
            {
                Assert.True(policies.Length > 0, $"{endpoint.DisplayName} ({pattern}) does not require a key explicitly");
                continue;
            }

            Assert.True(policies.Any(p => p.StartsWith("scope:", StringComparison.Ordinal)), $"{endpoint.DisplayName} ({pattern}) names no scope");
        }

        Assert.Equal(Anonymous.Order(StringComparer.Ordinal), anonymousSeen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task FallbackPolicy_RequiresAValidApiKey()
    {
        AuthorizationPolicy? fallback = await _server.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();

        Assert.NotNull(fallback);
        Assert.Equal([AccessControl.SchemeName], fallback.AuthenticationSchemes);
        Assert.Contains(fallback.Requirements, r => r is DenyAnonymousAuthorizationRequirement);
    }

    [Theory]
    [InlineData("/no-such-route")]
    [InlineData("/metrics")]
    [InlineData("/2fa/2/nothing-here")]
    [InlineData("/opentfa/v1/nothing-here")]
    public async Task PathOutsideTheApi_WithoutAKey_Answers401_NotARouteOracle(string path)
    {
        using var anonymous = TestServer.ClientFor(_server.BaseAddress, key: null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        if (path != "/metrics")
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _server.Client().GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task Metrics_OnlyForTheOperatorsKeys_AndWithoutApplicationLabels()
    {
        HttpClient admin = _server.Client();
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        await admin.SendPinOkAsync(app, template, "41793000901");
        string tenant = await admin.CreateTenantAsync("metrics-tenant");
        HttpClient tenantAdmin = _server.Client(await admin.CreateKeyAsync("\"opentfa:admin\",\"opentfa:metrics\"", tenant));
        HttpClient operatorMetrics = _server.Client(await admin.CreateKeyAsync("\"opentfa:metrics\""));
        HttpClient operatorManager = _server.Client(await admin.CreateKeyAsync("\"2fa:manage\""));

        Assert.Equal(HttpStatusCode.NotFound, (await tenantAdmin.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await operatorManager.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        HttpResponseMessage scrape = await operatorMetrics.GetAsync(new Uri("/metrics", UriKind.Relative));
        string text = await scrape.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("opentfa_pins_sent_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain(app, text, StringComparison.Ordinal);
        Assert.DoesNotContain("application=", text, StringComparison.Ordinal);

        Assert.Null((await tenantAdmin.GetJsonAsync("/health/ready")).Json["details"]);
        Assert.NotNull((await operatorMetrics.GetJsonAsync("/health/ready")).Json["details"]);
    }

    [Fact]
    public async Task KeyCreation_ScopesBeyondTheCreators_AreRefused_AndTheAuditNamesTheScopesGranted()
    {
        HttpClient admin = _server.Client();
        string tenant = await admin.CreateTenantAsync("escalation");
        HttpClient tenantAdmin = _server.Client(await admin.CreateKeyAsync("\"opentfa:admin\",\"2fa:manage\"", tenant));

        Reply refused = await tenantAdmin.PostJsonAsync("/opentfa/v1/keys", """{"name":"sneaky","scopes":["2fa:manage","opentfa:pii"]}""");
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("'opentfa:pii'", refused.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PostJsonAsync("/opentfa/v1/keys", """{"scopes":["2fa:pin:send"]}""")).Status);
        Assert.DoesNotContain((await tenantAdmin.GetJsonAsync("/opentfa/v1/keys")).Json.AsArray(), k => k!["name"]!.GetValue<string>() == "sneaky");

        Reply created = await tenantAdmin.PostJsonAsync("/opentfa/v1/keys", """{"name":"narrow","scopes":["2fa:manage"]}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Reply audit = await tenantAdmin.GetJsonAsync("/opentfa/v1/audit");
        var entry = audit.Json.AsArray().Single(e => e!["action"]!.GetValue<string>() == "key.created" && e["targetId"]!.GetValue<string>() == created.Str("keyId"))!;
        Assert.Equal("scopes 2fa:manage", entry["details"]!.GetValue<string>());
    }

    [Fact]
    public async Task OperatorChosenBootstrapKey_HasAnIdThatIsNotAHashOfIt()
    {
        string hashPrefix = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(TestServer.BootstrapKey)))[..16];
        HttpClient admin = _server.Client();
        await admin.CreateApplicationAsync();

        string keys = (await admin.GetJsonAsync("/opentfa/v1/keys")).Json.ToJsonString();
        string audit = (await admin.GetJsonAsync("/opentfa/v1/audit")).Json.ToJsonString();

        Assert.Contains("\"keyId\":\"bootstrap\"", keys, StringComparison.Ordinal);
        Assert.Contains("\"actorKeyId\":\"bootstrap\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(hashPrefix[..8], keys + audit, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void BootstrapKeyShorterThan32Characters_IsRefusedAtStart()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(new Dictionary<string, string?> { ["OpenTfa:BootstrapApiKey"] = "only-twenty-nine-characters!!" }));

        Assert.Contains("OpenTfa:BootstrapApiKey must be at least 32 characters", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("only-twenty-nine", ex.Message, StringComparison.Ordinal);
    }
}
