using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTfa.Server.Tests.Infrastructure;

/// <summary>Raw JSON calls, so that tests see exactly what goes over the wire.</summary>
public static class Api
{
    public const string SeedApplication =
        """{"name":"My 2FA application","enabled":true,"configuration":{"allowMultiplePinVerifications":true,"pinAttempts":5,"pinTimeToLive":"10m","sendPinPerApplicationLimit":"2/4s","sendPinPerPhoneNumberLimit":"2/1d","verifyPinLimit":"5000/12h"}}""";

    public static async Task<string> CreateApplicationAsync(this HttpClient client, string json = SeedApplication)
    {
        Reply reply = await client.PostJsonAsync("/2fa/2/applications", json);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("applicationId");
    }

    public static string Application(string configuration, bool enabled = true) =>
        $$"""{"name":"test","enabled":{{(enabled ? "true" : "false")}},"configuration":{{configuration}}}""";

    /// <summary>An application whose limits never get in the way, with the given overrides.</summary>
    public static string RoomyApplication(int attempts = 10, bool allowMultiple = true, string ttl = "15m", string appLimit = "100000/1d", string phoneLimit = "100000/1d", string verifyLimit = "100000/1d") =>
        Application($$"""{"allowMultiplePinVerifications":{{(allowMultiple ? "true" : "false")}},"pinAttempts":{{attempts}},"pinTimeToLive":"{{ttl}}","sendPinPerApplicationLimit":"{{appLimit}}","sendPinPerPhoneNumberLimit":"{{phoneLimit}}","verifyPinLimit":"{{verifyLimit}}"}""");

    public static async Task<string> CreateTemplateAsync(this HttpClient client, string applicationId, string json = RawJson.SeedTemplate)
    {
        Reply reply = await client.PostJsonAsync($"/2fa/2/applications/{applicationId}/messages", json);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("messageId");
    }

    public static async Task<(string App, string Template)> CreateAppAndTemplateAsync(this HttpClient client, string? application = null, string template = RawJson.SeedTemplate)
    {
        string app = await client.CreateApplicationAsync(application ?? RoomyApplication());
        return (app, await client.CreateTemplateAsync(app, template));
    }

    public static Task<Reply> SendPinAsync(this HttpClient client, string app, string template, string to, string path = "/2fa/2/pin", string extra = "") =>
        client.PostJsonAsync(path, $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}"{{extra}}}""");

    public static async Task<string> SendPinOkAsync(this HttpClient client, string app, string template, string to)
    {
        Reply reply = await client.SendPinAsync(app, template, to);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("pinId");
    }

    public static async Task<string> CreateKeyAsync(this HttpClient client, string scopes, string? tenantId = null)
    {
        string tenant = tenantId is null ? string.Empty : $""","tenantId":"{tenantId}" """;
        Reply reply = await client.PostJsonAsync("/opentfa/v1/keys", $$"""{"name":"k","scopes":[{{scopes}}]{{tenant}}}""");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("key");
    }

    /// <summary>An e-mail body for e-mail templates to name as <c>emailTemplateId</c>.</summary>
    public static async Task<long> CreateEmailBodyAsync(this HttpClient client, string json = """{"subject":"Your verification code","text":"Your verification code is {{pin}}"}""")
    {
        Reply reply = await client.PostJsonAsync("/opentfa/v1/email-bodies", json);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Json["id"]!.GetValue<long>();
    }

    public static async Task<string> CreateTenantAsync(this HttpClient client, string name = "acme")
    {
        Reply reply = await client.PostJsonAsync("/opentfa/v1/tenants", JsonContent.Create(new { name }).ReadAsStringAsync().Result);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Str("tenantId");
    }

    /// <summary>Starts every call at once; none may answer a 5xx.</summary>
    public static async Task<Reply[]> RaceAsync(int count, Func<int, Task<Reply>> call)
    {
        using var start = new SemaphoreSlim(0);
        Task<Reply>[] calls = [.. Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync();
            return await call(i);
        })];
        start.Release(count);
        Reply[] replies = await Task.WhenAll(calls);
        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        return replies;
    }
}
