using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

public sealed class ManagementTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Tenants_CreateAndList()
    {
        OpenTfaClient client = _server.Sdk();

        TenantResponse tenant = await client.CreateTenantAsync(new CreateTenantRequest { Name = "acme" });

        Assert.Equal("acme", tenant.Name);
        Assert.True(tenant.CreatedAt > 0);
        IReadOnlyList<TenantResponse> all = await client.GetTenantsAsync();
        Assert.Contains(all, t => t.TenantId == tenant.TenantId);
    }

    [Fact]
    public async Task Keys_CreateForATenant_ListAndRevoke_AndTheTenantSeesOnlyItsOwn()
    {
        OpenTfaClient admin = _server.Sdk();
        TenantResponse tenant = await admin.CreateTenantAsync(new CreateTenantRequest { Name = "globex" });
        long expires = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();

        ApiKeyResponse key = await admin.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            Name = "globex backend",
            TenantId = tenant.TenantId,
            Scopes = ["2fa:manage", "2fa:pin:send"],
            ExpiresAt = expires,
        });

        Assert.False(string.IsNullOrEmpty(key.Key));
        Assert.Equal(tenant.TenantId, key.TenantId);
        Assert.Equal(expires, key.ExpiresAt);
        Assert.Equal(["2fa:manage", "2fa:pin:send"], key.Scopes);
        IReadOnlyList<ApiKeyResponse> ofTenant = await admin.GetApiKeysAsync(tenant.TenantId);
        ApiKeyResponse listed = Assert.Single(ofTenant);
        Assert.Equal(key.KeyId, listed.KeyId);
        Assert.Null(listed.Key);
        Assert.Contains(await admin.GetApiKeysAsync(), k => k.KeyId == key.KeyId);

        OpenTfaClient globex = _server.Sdk(key.Key);
        ApplicationResponse own = await globex.CreateApplicationAsync(Requests.RoomyApplication("globex app"));
        Assert.Equal([own.ApplicationId], (await globex.GetApplicationsAsync()).Select(a => a.ApplicationId));
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => admin.GetApplicationAsync(own.ApplicationId));

        ApiKeyResponse revoked = await admin.RevokeApiKeyAsync(key.KeyId);
        Assert.NotNull(revoked.RevokedAt);
        await Assert.ThrowsAsync<OpenTfaUnauthorizedException>(() => globex.GetApplicationsAsync());
    }

    [Fact]
    public async Task TenantSenders_SetByTheOperator_ReadByTheTenant_AndEnforcedOnItsSends()
    {
        OpenTfaClient admin = _server.Sdk();
        TenantResponse tenant = await admin.CreateTenantAsync(new CreateTenantRequest { Name = "initech" });

        TenantSendersResponse set = await admin.SetTenantSendersAsync(tenant.TenantId, new TenantSendersRequest { Sms = ["Initech"], Email = ["@initech.example"] });
        Assert.Equal(["Initech"], set.Sms);
        Assert.Equal(["@initech.example"], (await admin.GetTenantSendersAsync(tenant.TenantId)).Email);

        ApiKeyResponse key = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { TenantId = tenant.TenantId, Scopes = ["2fa:manage", "2fa:pin:send", "opentfa:admin"] });
        OpenTfaClient initech = _server.Sdk(key.Key);
        Assert.Equal(["Initech"], (await initech.GetTenantSendersAsync(tenant.TenantId)).Sms);
        await Assert.ThrowsAsync<OpenTfaForbiddenException>(() => initech.SetTenantSendersAsync(tenant.TenantId, new TenantSendersRequest { Sms = ["Anything"] }));

        (string app, string template) = await initech.CreateAppAndTemplateAsync(Requests.RoomyApplication());
        OpenTfaBadRequestException refused = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() =>
            initech.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = Requests.NewNumber(), From = "Globex" }));
        Assert.Contains("not one of the senders allowed for this tenant", Assert.Single(refused.ValidationErrors["from"]), StringComparison.Ordinal);
        await initech.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = Requests.NewNumber(), From = "Initech" });
    }

    [Fact]
    public async Task EmailBodies_CreateGetListUpdate()
    {
        OpenTfaClient client = _server.Sdk();

        EmailBodyResponse created = await client.CreateEmailBodyAsync(new EmailBodyRequest { Name = "login", Subject = "Your code", Text = "Code: {{pin}}", Html = "<b>{{pin}}</b>" });

        Assert.True(created.Id > 0);
        Assert.Equal("<b>{{pin}}</b>", created.Html);
        Assert.Equal("Code: {{pin}}", (await client.GetEmailBodyAsync(created.Id)).Text);
        Assert.Contains(await client.GetEmailBodiesAsync(), b => b.Id == created.Id);
        EmailBodyResponse updated = await client.UpdateEmailBodyAsync(created.Id, new EmailBodyRequest { Subject = "Sign-in code" });
        Assert.Equal("Sign-in code", updated.Subject);
        Assert.Equal("Code: {{pin}}", updated.Text);

        var invalid = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() => client.CreateEmailBodyAsync(new EmailBodyRequest { Subject = "x", Text = "no pin" }));
        Assert.Contains("text", invalid.ValidationErrors.Keys);
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetEmailBodyAsync(long.MaxValue));
    }

    [Fact]
    public async Task Health_LiveAndReady_AnswerWithoutAKey_DetailsWithTheOperatorsKey()
    {
        OpenTfaClient anonymous = _server.Sdk(key: null);

        HealthResponse live = await anonymous.GetHealthAsync(OpenTfaHealthCheck.Live);
        HealthResponse bare = await anonymous.GetHealthAsync(OpenTfaHealthCheck.Ready);
        HealthResponse ready = await _server.Sdk().GetHealthAsync(OpenTfaHealthCheck.Ready);

        Assert.Equal("live", live.Status);
        Assert.Equal("ready", bare.Status);
        Assert.Null(bare.Details);
        Assert.Equal("ok", ready.Details!["store"]);
        Assert.Contains(ready.Details, d => d.Key.StartsWith("channel:", StringComparison.Ordinal));
    }
}
