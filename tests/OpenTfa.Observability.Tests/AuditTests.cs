using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Observability.Tests.Infrastructure;

namespace OpenTfa.Observability.Tests;

public sealed class AuditTests
{
    [Fact]
    public async Task EveryAuditedAction_IsRecordedWithTheKeyThatDidIt_AndEachTenantSeesItsOwn()
    {
        await using WebhookReceiver receiver = await WebhookReceiver.StartAsync();
        await using ObservedServer server = await ObservedServer.StartAsync();
        HttpClient operatorClient = server.Client();
        string tenant = (await operatorClient.PostJsonAsync("/opentfa/v1/tenants", """{"name":"acme"}""").OkAsync()).Str("tenantId");
        Reply key = await operatorClient.PostJsonAsync("/opentfa/v1/keys",
            $$"""{"name":"acme admin","tenantId":"{{tenant}}","scopes":["opentfa:admin","2fa:manage","2fa:pin:send","opentfa:pii"]}""").OkAsync();
        string keyId = key.Str("keyId");
        HttpClient client = server.Client(key.Str("key"));

        (string app, string sms, _) = await client.CreateApplicationAsync(Json.App());
        await client.SendAsync(HttpMethod.Put, $"/2fa/2/applications/{app}", Json.App(ttl: "5m")).OkAsync();
        await client.SendAsync(HttpMethod.Put, $"/2fa/2/applications/{app}/messages/{sms}", """{"pinLength":8}""").OkAsync();
        long body = (await client.GetJsonAsync("/opentfa/v1/email-bodies").OkAsync()).Json[0]!["id"]!.GetValue<long>();
        await client.SendAsync(HttpMethod.Put, $"/opentfa/v1/email-bodies/{body}", """{"subject":"New subject"}""").OkAsync();
        string webhook = (await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks", $$"""{"url":"{{receiver.Url}}","events":["pin.sent"]}""").OkAsync()).Str("webhookId");
        await client.SendAsync(HttpMethod.Put, $"/opentfa/v1/applications/{app}/webhooks/{webhook}", """{"events":["pin.verified"]}""").OkAsync();
        await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks/{webhook}/secret", "{}").OkAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/opentfa/v1/applications/{app}/webhooks/{webhook}")).Status);
        await client.GetJsonAsync($"/opentfa/v1/applications/{app}/destinations/41793026727/history?unmasked=true").OkAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(HttpMethod.Put, $"/2fa/2/applications/{app}", """{"name":""}""")).Status);
        string other = (await operatorClient.PostJsonAsync("/opentfa/v1/keys", $$"""{"tenantId":"{{tenant}}","scopes":["2fa:manage"]}""").OkAsync()).Str("keyId");
        await operatorClient.SendAsync(HttpMethod.Delete, $"/opentfa/v1/keys/{other}").OkAsync();

        JsonArray own = (await client.GetJsonAsync("/opentfa/v1/audit").OkAsync()).Json.AsArray();
        List<(string Action, string? Target, string Actor)> entries = own.Reverse()
            .Select(e => (e!["action"]!.GetValue<string>(), e["targetId"]?.GetValue<string>(), e["actorKeyId"]!.GetValue<string>())).ToList();
        string operatorKey = entries[0].Actor;
        Assert.Equal(
        [
            ("tenant.created", tenant, operatorKey),
            ("key.created", keyId, operatorKey),
            ("application.created", app, keyId),
            ("template.created", sms, keyId),
            ("email_body.created", body.ToString(System.Globalization.CultureInfo.InvariantCulture), keyId),
            ("template.created", entries[5].Target, keyId),
            ("application.updated", app, keyId),
            ("template.updated", sms, keyId),
            ("email_body.updated", body.ToString(System.Globalization.CultureInfo.InvariantCulture), keyId),
            ("webhook.created", webhook, keyId),
            ("webhook.updated", webhook, keyId),
            ("webhook.secret_rotated", webhook, keyId),
            ("webhook.deleted", webhook, keyId),
            ("destination.unmasked", "*******6727", keyId),
            ("key.created", other, operatorKey),
            ("key.revoked", other, operatorKey),
        ], entries);
        Assert.All(own, e => Assert.Equal(tenant, e!["tenantId"]!.GetValue<string>()));
        Assert.DoesNotContain("41793026727", own.ToJsonString(), StringComparison.Ordinal);

        // The operator sees every tenant, or one; a tenant key cannot read another tenant's trail.
        JsonArray all = (await operatorClient.GetJsonAsync("/opentfa/v1/audit?limit=1000").OkAsync()).Json.AsArray();
        Assert.Equal(own.Count, all.Count(e => e!["tenantId"]!.GetValue<string>() == tenant));
        Assert.Equal(own.Count, (await operatorClient.GetJsonAsync($"/opentfa/v1/audit?tenantId={tenant}").OkAsync()).Json.AsArray().Count);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/opentfa/v1/audit?tenantId=operator")).Status);
        Assert.Equal(2, (await client.GetJsonAsync("/opentfa/v1/audit?limit=2").OkAsync()).Json.AsArray().Count);
        HttpClient narrow = server.Client((await client.PostJsonAsync("/opentfa/v1/keys", """{"scopes":["2fa:manage"]}""").OkAsync()).Str("key"));
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.GetJsonAsync("/opentfa/v1/audit")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.GetJsonAsync($"/opentfa/v1/applications/{app}/destinations/41793026727/history?unmasked=true")).Status);
    }
}
