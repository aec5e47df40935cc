using System.Net;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Auth;

public sealed class AuthenticationAndTenancyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Theory]
    [InlineData("App")]
    [InlineData("Bearer")]
    [InlineData("app")]
    [InlineData(null)]
    public async Task Key_InEveryAcceptedForm_Authenticates(string? scheme)
    {
        using var client = TestServer.ClientFor(_server.BaseAddress, key: null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", scheme is null ? TestServer.BootstrapKey : $"{scheme} {TestServer.BootstrapKey}");
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/2fa/2/applications")).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("App wrong-key-wrong-key-wrong")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("App ")]
    public async Task MissingOrWrongKey_Answers401InTheEnvelope(string? header)
    {
        using var client = TestServer.ClientFor(_server.BaseAddress, key: null);
        if (header is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        }

        Reply reply = await client.GetJsonAsync("/2fa/2/applications");
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal("UNAUTHORIZED", reply.ErrorMessageId);
        Reply own = await client.GetJsonAsync("/opentfa/v1/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, own.Status);
        Assert.Equal(401, own.Json["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task KeyWithoutScope_Answers403_ButAForeignIdAnswers404First()
    {
        HttpClient admin = _server.Client();
        string app = await admin.CreateApplicationAsync();
        HttpClient sender = _server.Client(await admin.CreateKeyAsync("\"2fa:pin:send\""));

        Reply forbidden = await sender.GetJsonAsync($"/2fa/2/applications/{app}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("FORBIDDEN", forbidden.ErrorMessageId);
        Assert.Contains("2fa:manage", forbidden.ServiceException["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await sender.GetJsonAsync("/2fa/2/applications/0123456789ABCDEF0123456789ABCDEF")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sender.PostJsonAsync("/opentfa/v1/tenants", """{"name":"x"}""")).Status);

        HttpClient manager = _server.Client(await admin.CreateKeyAsync("\"2fa:manage\""));
        string template = await manager.CreateTemplateAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await sender.SendPinAsync(app, template, "41793000101")).Status);
    }

    [Fact]
    public async Task AnotherTenantsIds_Answer404_AndItsListsAreSeparate()
    {
        HttpClient admin = _server.Client();
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        string pinId = await admin.SendPinOkAsync(app, template, "41793000102");

        string tenant = await admin.CreateTenantAsync("acme");
        HttpClient other = _server.Client(await admin.CreateKeyAsync("\"2fa:manage\",\"2fa:pin:send\"", tenant));

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/2fa/2/applications/{app}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/2fa/2/applications/{app}/messages/{template}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.VerifyAsync(pinId, "1234")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await other.SendPinAsync(app, template, "41793000102")).Status);
        Assert.Empty((await other.GetJsonAsync("/2fa/2/applications")).Json.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Status);
    }

    [Fact]
    public async Task Keys_CreatedListedAndRevoked_ClearKeyShownOnlyOnCreate()
    {
        HttpClient admin = _server.Client();
        Reply created = await admin.PostJsonAsync("/opentfa/v1/keys", """{"name":"ci","scopes":["2fa:manage"]}""");
        string key = created.Str("key");
        string keyId = created.Str("keyId");
        Assert.StartsWith("otf_" + keyId + "_", key);

        Reply list = await admin.GetJsonAsync("/opentfa/v1/keys");
        var listed = list.Json.AsArray().Single(k => k!["keyId"]!.GetValue<string>() == keyId)!;
        Assert.Null(listed["key"]);
        Assert.DoesNotContain(key, list.Json.ToJsonString());

        HttpClient client = _server.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/2fa/2/applications")).Status);
        Reply revoked = await admin.SendAsync(HttpMethod.Delete, $"/opentfa/v1/keys/{keyId}");
        Assert.NotNull(revoked.Json["revokedAt"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync("/2fa/2/applications")).Status);
    }

    [Theory]
    [InlineData("""{"scopes":[]}""", "scopes")]
    [InlineData("""{"scopes":["everything"]}""", "scopes")]
    [InlineData("""{"scopes":["2fa:manage"],"expiresAt":1000}""", "expiresAt")]
    public async Task CreateKey_Invalid_AnswersProblemDetailsNamingTheField(string body, string field)
    {
        Reply reply = await _server.Client().PostJsonAsync("/opentfa/v1/keys", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("application/problem+json", reply.Response.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(reply.Json["errors"]![field]);
    }

    [Fact]
    public async Task TenantAdmin_CannotSeeOrRevokeOtherTenantsKeys()
    {
        HttpClient admin = _server.Client();
        string tenant = await admin.CreateTenantAsync("beta");
        HttpClient tenantAdmin = _server.Client(await admin.CreateKeyAsync("\"opentfa:admin\"", tenant));
        string bootstrapId = (await admin.GetJsonAsync("/opentfa/v1/keys")).Json.AsArray().First()!["keyId"]!.GetValue<string>();

        Assert.All((await tenantAdmin.GetJsonAsync("/opentfa/v1/keys")).Json.AsArray(), k => Assert.Equal(tenant, k!["tenantId"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await tenantAdmin.SendAsync(HttpMethod.Delete, $"/opentfa/v1/keys/{bootstrapId}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PostJsonAsync("/opentfa/v1/tenants", """{"name":"x"}""")).Status);
    }
}
