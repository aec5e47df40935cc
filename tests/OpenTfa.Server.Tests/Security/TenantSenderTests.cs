using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// Senders belong to tenants: the operator sets the SMS senders and e-mail From addresses each
/// tenant may use, and a tenant cannot send as another's brand, neither by <c>from</c> nor
/// through a template. Checked on SQLite and PostgreSQL.
/// </summary>
public sealed class TenantSenderTests(BothStoresFixture fixture) : IClassFixture<BothStoresFixture>
{
    private static string Phone() => $"4179{Random.Shared.Next(1_000_000, 9_999_999)}";

    private sealed record TwoTenants(string A, string B, HttpClient KeyA, HttpClient KeyB);

    private static async Task<TwoTenants> TwoTenantsAsync(TestServer server)
    {
        HttpClient op = server.Client();
        string a = await op.CreateTenantAsync("acme");
        string b = await op.CreateTenantAsync("beta");
        const string Scopes = "\"opentfa:admin\",\"2fa:manage\",\"2fa:pin:send\"";
        Assert.Equal(HttpStatusCode.OK, (await op.PutJsonAsync($"/opentfa/v1/tenants/{a}/senders", """{"sms":["AcmeBank","+41791234567"],"email":["@acme.example"]}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await op.PutJsonAsync($"/opentfa/v1/tenants/{b}/senders", """{"sms":["BetaPay"]}""")).Status);
        return new TwoTenants(a, b, server.Client(await op.CreateKeyAsync(Scopes, a)), server.Client(await op.CreateKeyAsync(Scopes, b)));
    }

    private static void AssertInfobipFieldError(Reply reply, string field, string text)
    {
        Assert.True(reply.Status == HttpStatusCode.BadRequest, reply.ToString());
        Assert.Equal("BAD_REQUEST", reply.ErrorMessageId);
        string message = reply.ServiceException["validationErrors"]![field]![0]!.GetValue<string>();
        Assert.Contains(text, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ATenant_SendsOnlyAsItsOwnSenders_NeverAsAnotherTenants(string store)
    {
        TestServer server = fixture.Server(store);
        TwoTenants t = await TwoTenantsAsync(server);
        (string app, string template) = await t.KeyA.CreateAppAndTemplateAsync(Api.RoomyApplication());

        string to = Phone();
        AssertInfobipFieldError(await t.KeyA.SendPinAsync(app, template, to, extra: ""","from":"BetaPay" """), "from", "'BetaPay' is not one of the senders allowed for this tenant");

        Reply own = await t.KeyA.SendPinAsync(app, template, to, extra: ""","from":"+41791234567" """);
        Assert.True(own.Status == HttpStatusCode.OK, own.ToString());
        Assert.Contains(" from=+41791234567 ", await server.Deliveries.WaitForLineAsync(to), StringComparison.Ordinal);

        // Without a from, the tenant's first sender goes out, not the service default.
        string second = Phone();
        await t.KeyA.SendPinOkAsync(app, template, second);
        Assert.Contains(" from=AcmeBank ", await server.Deliveries.WaitForLineAsync(second), StringComparison.Ordinal);

        // A template may not carry another tenant's sender either.
        Reply foreignTemplate = await t.KeyA.PostJsonAsync($"/2fa/2/applications/{app}/messages", """{"messageText":"Code {{pin}}","pinType":"NUMERIC","senderId":"BetaPay"}""");
        AssertInfobipFieldError(foreignTemplate, "senderId", "'BetaPay' is not one of the senders allowed for this tenant");
        Reply foreignUpdate = await t.KeyA.PutJsonAsync($"/2fa/2/applications/{app}/messages/{template}", """{"senderId":"BetaPay"}""");
        AssertInfobipFieldError(foreignUpdate, "senderId", "not one of the senders allowed");
        Assert.Null((await t.KeyA.GetJsonAsync($"/2fa/2/applications/{app}/messages/{template}")).Json["senderId"]);

        long body = await t.KeyA.CreateEmailBodyAsync();
        Reply foreignFrom = await t.KeyA.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"Acme <security@beta.example>"}""");
        AssertInfobipFieldError(foreignFrom, "from", "not one of the senders allowed for this tenant");
        Reply ownFrom = await t.KeyA.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"Acme Security <Security@ACME.example>"}""");
        Assert.True(ownFrom.Status == HttpStatusCode.OK, ownFrom.ToString());
        string mail = $"user{Random.Shared.Next()}@example.com";
        AssertInfobipFieldError(await t.KeyA.SendPinAsync(app, ownFrom.Str("messageId"), mail, "/2fa/2/pin/email", ""","from":"no-reply@beta.example" """),
            "from", "not one of the senders allowed");
        Assert.True((await t.KeyA.SendPinAsync(app, ownFrom.Str("messageId"), mail, "/2fa/2/pin/email")).Status == HttpStatusCode.OK);
        string line = await server.Deliveries.WaitForLineAsync(mail);
        Assert.Contains(""" from="Acme Security <Security@ACME.example>" """, line, StringComparison.Ordinal);

        // And the other tenant cannot borrow this one's brand.
        (string appB, string templateB) = await t.KeyB.CreateAppAndTemplateAsync(Api.RoomyApplication());
        AssertInfobipFieldError(await t.KeyB.SendPinAsync(appB, templateB, Phone(), extra: ""","from":"AcmeBank" """), "from", "'AcmeBank' is not one of the senders allowed");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task OnlyTheOperator_SetsATenantsSenders_ATenantAdminReadsItsOwn(string store)
    {
        TestServer server = fixture.Server(store);
        HttpClient op = server.Client();
        TwoTenants t = await TwoTenantsAsync(server);
        string path = $"/opentfa/v1/tenants/{t.A}/senders";

        Reply own = await t.KeyA.GetJsonAsync(path);
        Assert.True(own.Status == HttpStatusCode.OK, own.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"tenantId":"{{t.A}}","sms":["AcmeBank","+41791234567"],"email":["@acme.example"]}"""), own.Json), own.ToString());

        Reply selfService = await t.KeyA.PutJsonAsync(path, """{"sms":["AcmeBank","BetaPay"]}""");
        Assert.Equal(HttpStatusCode.Forbidden, selfService.Status);
        Assert.Contains("operator", selfService.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        // Another tenant's list is as unknown as a random id, for reading and for writing.
        foreach (Reply foreign in new[]
        {
            await t.KeyB.GetJsonAsync(path), await t.KeyB.PutJsonAsync(path, """{"sms":["BetaPay"]}"""),
            await t.KeyB.GetJsonAsync("/opentfa/v1/tenants/no-such-tenant/senders"), await op.PutJsonAsync("/opentfa/v1/tenants/no-such-tenant/senders", """{"sms":["X"]}"""),
        })
        {
            Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        }

        Reply invalid = await op.PutJsonAsync(path, """{"sms":["AcmeBank","Twelve chars","AcmeBank"],"email":["not an address","@","@acme.example\r\nBcc: x@y.z"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        JsonObject errors = invalid.Json["errors"]!.AsObject();
        Assert.Equal(["sms[1]", "sms[2]", "email[0]", "email[1]", "email[2]"], errors.Select(e => e.Key).ToArray());
        Assert.Equal(own.Json.ToJsonString(), (await op.GetJsonAsync(path)).Json.ToJsonString());

        Reply changed = await op.PutJsonAsync(path, """{"sms":["AcmeBank"],"email":[]}""");
        Assert.True(changed.Status == HttpStatusCode.OK, changed.ToString());
        JsonNode entry = (await op.GetJsonAsync("/opentfa/v1/audit?limit=1000")).Json.AsArray()
            .First(e => e!["action"]!.GetValue<string>() == "tenant.senders_changed" && e["targetId"]!.GetValue<string>() == t.A)!;
        Assert.Equal(t.A, entry["tenantId"]!.GetValue<string>());
        Assert.Equal("sms AcmeBank; email service default only", entry["details"]!.GetValue<string>());

        // The change applies at once: the number taken out of the list is refused now.
        (string app, string template) = await t.KeyA.CreateAppAndTemplateAsync(Api.RoomyApplication());
        AssertInfobipFieldError(await t.KeyA.SendPinAsync(app, template, Phone(), extra: ""","from":"+41791234567" """), "from", "not one of the senders allowed");

        // Removing both lists hands the tenant back to the service-wide rule, which allows any sender here.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"tenantId":"{{t.A}}"}"""), (await op.PutJsonAsync(path, "{}")).Json));
        Assert.Equal(HttpStatusCode.OK, (await t.KeyA.SendPinAsync(app, template, Phone(), extra: ""","from":"+41791234567" """)).Status);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ASenderSetBeforeTheList_IsRefusedAtSendAndResend(string store)
    {
        TestServer server = fixture.Server(store);
        HttpClient op = server.Client();
        string a = await op.CreateTenantAsync("gamma");
        HttpClient keyA = server.Client(await op.CreateKeyAsync("\"opentfa:admin\",\"2fa:manage\",\"2fa:pin:send\"", a));
        (string app, string template) = await keyA.CreateAppAndTemplateAsync(Api.RoomyApplication(), """{"messageText":"Code {{pin}}","pinType":"NUMERIC","senderId":"BetaPay"}""");
        string to = Phone();
        string pinId = await keyA.SendPinOkAsync(app, template, to);
        Assert.Contains(" from=BetaPay ", await server.Deliveries.WaitForLineAsync(to), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await op.PutJsonAsync($"/opentfa/v1/tenants/{a}/senders", """{"sms":["Gamma"]}""")).Status);

        AssertInfobipFieldError(await keyA.SendPinAsync(app, template, Phone()), "messageId", "the template's senderId 'BetaPay' is not one of the senders allowed for this tenant");
        AssertInfobipFieldError(await keyA.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}"), "from", "'BetaPay' is not one of the senders allowed");
        Assert.Single(server.Deliveries.Lines, l => l.Contains($" to={to} ", StringComparison.Ordinal));
    }
}
