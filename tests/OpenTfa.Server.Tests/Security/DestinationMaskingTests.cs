using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// OpenTfa's own API shows phone numbers and addresses masked; <c>unmasked=true</c> shows them in
/// full to a key with <c>opentfa:pii</c> and audits the read, and is refused without it. The
/// Infobip surface keeps the fields its contract requires.
/// </summary>
public sealed class DestinationMaskingTests : IAsyncLifetime
{
    private const string Scopes = "\"2fa:manage\",\"opentfa:admin\"";

    private TestServer _server = null!;
    private HttpClient _admin = null!;
    private HttpClient _plain = null!;
    private HttpClient _pii = null!;
    private string _piiKeyId = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _admin = _server.Client();
        _plain = _server.Client(await _admin.CreateKeyAsync(Scopes));
        Reply created = await _admin.PostJsonAsync("/opentfa/v1/keys", $$"""{"name":"support","scopes":[{{Scopes}},"opentfa:pii"]}""");
        Assert.True(created.Status == HttpStatusCode.OK, created.ToString());
        _pii = _server.Client(created.Str("key"));
        _piiKeyId = created.Str("keyId");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The audit entries of <c>destination.unmasked</c> written by the key with <c>opentfa:pii</c>.</summary>
    private async Task<List<JsonNode>> UnmaskedReadsAsync() =>
        (await _admin.GetJsonAsync("/opentfa/v1/audit")).Json.AsArray()
            .Where(e => e!["action"]!.GetValue<string>() == "destination.unmasked" && e["actorKeyId"]!.GetValue<string>() == _piiKeyId)
            .Select(e => e!)
            .ToList();

    private static void AssertForbiddenPii(Reply reply)
    {
        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Contains("opentfa:pii", reply.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinMessages_AreMaskedByDefault_FullWithPiiAndAudited_RefusedWithoutPii()
    {
        (string app, string template) = await _admin.CreateAppAndTemplateAsync();
        string pinId = await _admin.SendPinOkAsync(app, template, "41793002001");
        string path = $"/opentfa/v1/pins/{pinId}/messages";

        Assert.Equal("*******2001", (await _plain.GetJsonAsync(path)).Json[0]!["to"]!.GetValue<string>());
        Assert.Equal("*******2001", (await _pii.GetJsonAsync(path)).Json[0]!["to"]!.GetValue<string>());
        AssertForbiddenPii(await _plain.GetJsonAsync(path + "?unmasked=true"));
        Assert.Empty(await UnmaskedReadsAsync());

        Reply full = await _pii.GetJsonAsync(path + "?unmasked=true");
        Assert.Equal(HttpStatusCode.OK, full.Status);
        Assert.Equal("41793002001", full.Json[0]!["to"]!.GetValue<string>());

        JsonNode entry = Assert.Single(await UnmaskedReadsAsync());
        Assert.Equal("pin", entry["targetType"]!.GetValue<string>());
        Assert.Equal(pinId, entry["targetId"]!.GetValue<string>());
        Assert.DoesNotContain("41793002001", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageState_IsMaskedByDefault_FullWithPiiAndAudited_RefusedWithoutPii()
    {
        (string app, string template) = await _admin.CreateAppAndTemplateAsync();
        string pinId = await _admin.SendPinOkAsync(app, template, "41793002002");
        string messageId = (await _admin.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json[0]!["messageId"]!.GetValue<string>();
        string path = $"/opentfa/v1/messages/{messageId}";

        Assert.Equal("*******2002", (await _plain.GetJsonAsync(path)).Json["to"]!.GetValue<string>());
        AssertForbiddenPii(await _plain.GetJsonAsync(path + "?unmasked=true"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _pii.GetJsonAsync(path + "?unmasked=maybe")).Status);
        Assert.Empty(await UnmaskedReadsAsync());

        Assert.Equal("41793002002", (await _pii.GetJsonAsync(path + "?unmasked=true")).Json["to"]!.GetValue<string>());
        JsonNode entry = Assert.Single(await UnmaskedReadsAsync());
        Assert.Equal("message", entry["targetType"]!.GetValue<string>());
        Assert.Equal(messageId, entry["targetId"]!.GetValue<string>());
        Assert.DoesNotContain("41793002002", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmailMessage_IsMaskedByDefault_FullWithPii()
    {
        (string app, _) = await _admin.CreateAppAndTemplateAsync();
        long body = await _admin.CreateEmailBodyAsync();
        string template = (await _admin.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinLength":6}""")).Str("messageId");
        string pinId = (await _admin.SendPinAsync(app, template, "ada.lovelace@example.com", "/2fa/2/pin/email")).Str("pinId");
        string path = $"/opentfa/v1/pins/{pinId}/messages";

        Assert.Equal("a***@example.com", (await _plain.GetJsonAsync(path)).Json[0]!["to"]!.GetValue<string>());
        Assert.Equal("ada.lovelace@example.com", (await _pii.GetJsonAsync(path + "?unmasked=true")).Json[0]!["to"]!.GetValue<string>());
        Assert.Single(await UnmaskedReadsAsync());
    }

    [Fact]
    public async Task Lockouts_AreMaskedByDefault_FullWithPiiAndAudited_RefusedWithoutPii()
    {
        (string app, string template) = await _admin.CreateAppAndTemplateAsync();
        Assert.Equal(HttpStatusCode.OK, (await _admin.PutJsonAsync($"/opentfa/v1/applications/{app}/protection", """{"nist":true}""")).Status);
        string pinId = await _admin.SendPinOkAsync(app, template, "41793002003");
        string pin = await _server.Deliveries.WaitForPinAsync("41793002003");
        await _admin.VerifyAsync(pinId, (pin[0] == '0' ? "1" : "0") + pin[1..]);
        string path = $"/opentfa/v1/applications/{app}/protection/lockouts?minimumFailures=1";

        Reply masked = await _plain.GetJsonAsync(path);
        Assert.Equal("*******2003", masked.Json[0]!["destination"]!.GetValue<string>());
        Assert.Equal(1, masked.Json[0]!["failures"]!.GetValue<int>());
        Assert.Equal("*******2003", (await _pii.GetJsonAsync(path)).Json[0]!["destination"]!.GetValue<string>());
        AssertForbiddenPii(await _plain.GetJsonAsync(path + "&unmasked=true"));
        Assert.Empty(await UnmaskedReadsAsync());

        Assert.Equal("41793002003", (await _pii.GetJsonAsync(path + "&unmasked=true")).Json[0]!["destination"]!.GetValue<string>());
        JsonNode entry = Assert.Single(await UnmaskedReadsAsync());
        Assert.Equal("lockouts", entry["targetType"]!.GetValue<string>());
        Assert.Equal(app, entry["targetId"]!.GetValue<string>());
        Assert.DoesNotContain("41793002003", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_IsMaskedByDefault_FullWithPiiAndAudited_RefusedWithoutPii()
    {
        (string app, string template) = await _admin.CreateAppAndTemplateAsync();
        await _admin.SendPinOkAsync(app, template, "41793002004");
        string path = $"/opentfa/v1/applications/{app}/destinations/41793002004/history";

        JsonNode masked = (await _plain.GetJsonAsync(path)).Json;
        Assert.True(masked["masked"]!.GetValue<bool>());
        Assert.Equal("*******2004", masked["pins"]![0]!["destination"]!.GetValue<string>());
        Assert.Equal("*******2004", masked["pins"]![0]!["messages"]![0]!["to"]!.GetValue<string>());
        AssertForbiddenPii(await _plain.GetJsonAsync(path + "?unmasked=true"));
        Assert.Empty(await UnmaskedReadsAsync());

        JsonNode full = (await _pii.GetJsonAsync(path + "?unmasked=true")).Json;
        Assert.Equal("41793002004", full["pins"]![0]!["destination"]!.GetValue<string>());
        Assert.Equal("41793002004", full["pins"]![0]!["messages"]![0]!["to"]!.GetValue<string>());
        JsonNode entry = Assert.Single(await UnmaskedReadsAsync());
        Assert.Equal("destination", entry["targetType"]!.GetValue<string>());
        Assert.DoesNotContain("41793002004", entry.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignIds_Answer404_BeforeThePiiScopeIsChecked()
    {
        string otherTenant = await _admin.CreateTenantAsync("other");
        HttpClient other = _server.Client(await _admin.CreateKeyAsync(Scopes, otherTenant));
        (string app, string template) = await other.CreateAppAndTemplateAsync();
        string pinId = await other.SendPinOkAsync(app, template, "41793002005");

        Assert.Equal(HttpStatusCode.NotFound, (await _plain.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages?unmasked=true")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _plain.GetJsonAsync($"/opentfa/v1/applications/{app}/protection/lockouts?unmasked=true")).Status);
    }

    [Fact]
    public async Task InfobipSurface_KeepsTheFieldsItsContractRequires_ForAKeyWithoutPii()
    {
        (string app, string template) = await _plain.CreateAppAndTemplateAsync();
        Reply sent = await _plain.SendPinAsync(app, template, "+41 79 300 20 06");
        Assert.Equal("+41 79 300 20 06", sent.Str("to"));
        string pin = await _server.Deliveries.WaitForPinAsync("41793002006");

        Assert.Equal("41793002006", (await _plain.VerifyAsync(sent.Str("pinId"), pin)).Str("msisdn"));
        Reply status = await _plain.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793002006");
        Assert.Equal("41793002006", status.Json["verifications"]![0]!["msisdn"]!.GetValue<string>());
    }
}
