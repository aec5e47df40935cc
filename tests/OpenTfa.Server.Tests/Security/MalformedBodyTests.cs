using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// Hostile bodies on every endpoint that takes one, on both stores: a key given twice, text
/// that is not valid UTF-8, and a NUL character each answer 400 in the surface's error shape
/// naming the field, with or without an Idempotency-Key; nothing stored changes, no answer is
/// a 5xx, and nothing is logged as a store outage.
/// </summary>
public sealed class MalformedBodyTests(BothStoresFixture stores) : IClassFixture<BothStoresFixture>
{
    private const string Phone = "41793026727";
    private const string Slot = "§";

    /// <summary>A route with a valid body in which <see cref="Slot"/> stands for one member, <c>Key</c>, whose dotted path is <c>Field</c>.</summary>
    private sealed record BodyRoute(string Method, string Path, string Body, string Key, string Value, string Field);

    private sealed record Setup(string App, string Template, string EmailTemplate, long EmailBody, string Webhook, string Pin);

    private static IEnumerable<BodyRoute> Routes(Setup s)
    {
        string app = s.App;
        yield return new("POST", "/2fa/2/applications", """{§,"enabled":true}""", "name", "x", "name");
        yield return new("PUT", $"/2fa/2/applications/{app}", """{§,"enabled":true}""", "name", "x", "name");
        yield return new("POST", $"/2fa/2/applications/{app}/messages", """{§,"pinType":"NUMERIC"}""", "messageText", "Code {{pin}}", "messageText");
        yield return new("PUT", $"/2fa/2/applications/{app}/messages/{s.Template}", """{§,"pinLength":6}""", "messageText", "Code {{pin}}", "messageText");
        yield return new("POST", $"/2fa/2/applications/{app}/email/messages", $$"""{§,"emailTemplateId":{{s.EmailBody}}}""", "from", "a@example.com", "from");
        yield return new("PUT", $"/2fa/2/applications/{app}/email/messages/{s.EmailTemplate}", """{§,"pinLength":6}""", "from", "a@example.com", "from");
        yield return new("POST", "/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{s.Template}}",§}""", "to", Phone, "to");
        yield return new("POST", "/2fa/2/pin/voice", $$"""{"applicationId":"{{app}}","messageId":"{{s.Template}}",§}""", "to", Phone, "to");
        yield return new("POST", "/2fa/2/pin/email", $$"""{"applicationId":"{{app}}","messageId":"{{s.EmailTemplate}}",§}""", "to", "jane@example.com", "to");
        yield return new("POST", $"/2fa/2/pin/{s.Pin}/resend", """{"placeholders":{§}}""", "name", "Jane", "placeholders.name");
        yield return new("POST", $"/2fa/2/pin/{s.Pin}/resend/voice", """{"placeholders":{§}}""", "name", "Jane", "placeholders.name");
        yield return new("POST", $"/2fa/2/pin/{s.Pin}/resend/email", """{"placeholders":{§}}""", "name", "Jane", "placeholders.name");
        yield return new("POST", $"/2fa/2/pin/{s.Pin}/verify", """{§}""", "pin", "0000", "pin");
        yield return new("POST", "/opentfa/v1/tenants", """{§}""", "name", "t", "name");
        yield return new("POST", "/opentfa/v1/keys", """{§,"scopes":["2fa:manage"]}""", "name", "k", "name");
        yield return new("POST", "/opentfa/v1/email-bodies", """{§,"text":"Code {{pin}}"}""", "subject", "Code", "subject");
        yield return new("PUT", $"/opentfa/v1/email-bodies/{s.EmailBody}", """{§}""", "subject", "Code", "subject");
        yield return new("POST", $"/opentfa/v1/applications/{app}/webhooks", """{"url":"https://hooks.example.com/h","events":["pin.sent"],§}""", "description", "d", "description");
        yield return new("PUT", $"/opentfa/v1/applications/{app}/webhooks/{s.Webhook}", """{"url":"https://hooks.example.com/h","events":["pin.sent"],§}""", "description", "d", "description");
        yield return new("PUT", "/opentfa/v1/protection", """{"countries":{§}}""", "mode", "monitor", "countries.mode");
        yield return new("PUT", $"/opentfa/v1/applications/{app}/protection", """{"countries":{§}}""", "mode", "monitor", "countries.mode");
    }

    /// <summary>The three hostile forms of the slot's member, as raw bytes.</summary>
    private static IEnumerable<(string Name, byte[] Body)> Hostile(BodyRoute route)
    {
        string[] parts = route.Body.Split(Slot);
        byte[] Bytes(params object[] pieces) => pieces.SelectMany(p => p is string text ? Encoding.UTF8.GetBytes(text) : (byte[])p).ToArray();
        yield return ("duplicate key", Bytes(parts[0], $"\"{route.Key}\":\"{route.Value}\",\"{route.Key}\":\"{route.Value}\"", parts[1]));
        yield return ("invalid UTF-8", Bytes(parts[0], $"\"{route.Key}\":\"", new byte[] { 0xFF, 0xFE }, "\"", parts[1]));
        yield return ("NUL character", Bytes(parts[0], $"\"{route.Key}\":\"{route.Value}\\u0000x\"", parts[1]));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task HostileBody_OnEveryBodyEndpoint_Answers400NamingTheFieldAndChangesNothing(string store)
    {
        using HttpClient client = stores.Server(store).Client();
        Setup setup = await SetUpAsync(client);
        int errorsBefore = stores.Log(store).Errors.Count;
        string before = await SnapshotAsync(client, setup);

        var failures = new List<string>();
        foreach (BodyRoute route in Routes(setup))
        {
            foreach ((string name, byte[] body) in Hostile(route))
            {
                foreach (string? idempotencyKey in new[] { null, Guid.NewGuid().ToString("N") })
                {
                    (HttpStatusCode status, JsonNode? json) = await SendRawAsync(client, route.Method, route.Path, body, idempotencyKey);
                    string what = $"{route.Method} {route.Path} with {name}{(idempotencyKey is null ? string.Empty : " and an Idempotency-Key")}";
                    if (status != HttpStatusCode.BadRequest || !NamesField(route.Path, json, route.Field))
                    {
                        failures.Add($"{what}: {(int)status} {json?.ToJsonString()}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await SnapshotAsync(client, setup));
        Assert.Empty(stores.Log(store).Errors.Skip(errorsBefore));

        // The PIN lost no attempt to the hostile verifies.
        Reply wrong = await client.VerifyAsync(setup.Pin, "WRONG1");
        Assert.Equal(9, wrong.Json["attemptsRemaining"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task KeyGivenTwiceInAnotherLetterCase_IsRefusedNamingIt(string store)
    {
        using HttpClient client = stores.Server(store).Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        Reply reply = await client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{Phone}}","TO":"41793026728"}""");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST", reply.ErrorMessageId);
        Assert.NotNull(reply.ServiceException["validationErrors"]!["TO"]);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ControlCharacterInAnIdOfThePathOrQuery_Answers400NamingIt(string store)
    {
        using HttpClient client = stores.Server(store).Client();
        Setup setup = await SetUpAsync(client);
        int errorsBefore = stores.Log(store).Errors.Count;
        string before = await SnapshotAsync(client, setup);
        string app = setup.App;
        (string Method, string Path, string? Body, string Field)[] cases =
        [
            ("GET", "/2fa/2/applications/AB%01CD", null, "appId"),
            ("PUT", "/2fa/2/applications/AB%0ACD", Api.RoomyApplication(), "appId"),
            ("GET", $"/2fa/2/applications/{app}/messages/%1B", null, "msgId"),
            ("PUT", $"/2fa/2/applications/{app}/messages/AB%7F", """{"pinLength":6}""", "msgId"),
            ("POST", "/2fa/2/pin/AB%09CD/verify", """{"pin":"1234"}""", "pinId"),
            ("POST", "/2fa/2/pin/AB%01CD/resend", "{}", "pinId"),
            ("GET", $"/2fa/2/applications/{app}/verifications?msisdn=4179%00", null, "msisdn"),
            ("GET", "/opentfa/v1/keys?tenantId=T%00", null, "tenantId"),
            ("DELETE", "/opentfa/v1/keys/K%0D", null, "keyId"),
            ("GET", "/opentfa/v1/pins/P%01/messages", null, "pinId"),
            ("GET", "/opentfa/v1/messages/M%0A", null, "messageId"),
            ("GET", $"/opentfa/v1/applications/{app}/webhooks/W%02", null, "webhookId"),
            ("GET", "/opentfa/v1/applications/A%0A/protection", null, "appId"),
            ("DELETE", $"/opentfa/v1/applications/{app}/protection/lockouts/4179%01", null, "destination"),
            ("GET", $"/opentfa/v1/applications/{app}/destinations/4179%0A/history", null, "destination"),
        ];

        var failures = new List<string>();
        foreach ((string method, string path, string? body, string field) in cases)
        {
            (HttpStatusCode status, JsonNode? json) = await SendRawAsync(client, method, path, body is null ? null : Encoding.UTF8.GetBytes(body), null);
            if (status != HttpStatusCode.BadRequest || !NamesField(path, json, field))
            {
                failures.Add($"{method} {path}: {(int)status} {json?.ToJsonString()}");
            }
        }

        // Kestrel itself refuses a NUL in the path before OpenTfa sees the request.
        foreach (string path in new[] { "/2fa/2/applications/AB%00CD", $"/2fa/2/applications/{app}/messages/%00", "/opentfa/v1/keys/K%00" })
        {
            (HttpStatusCode status, _) = await SendRawAsync(client, "GET", path, null, null);
            if (status != HttpStatusCode.BadRequest)
            {
                failures.Add($"GET {path}: {(int)status}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(before, await SnapshotAsync(client, setup));
        Assert.Empty(stores.Log(store).Errors.Skip(errorsBefore));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RegionalIndiaDlt_IsValidatedOnCreateAndUpdate(string store)
    {
        using HttpClient client = stores.Server(store).Client();
        string app = await client.CreateApplicationAsync(Api.RoomyApplication());

        Reply missing = await client.PostJsonAsync($"/2fa/2/applications/{app}/messages",
            """{"messageText":"Code {{pin}}","pinType":"NUMERIC","regional":{"indiaDlt":{"contentTemplateId":"1107"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.NotNull(missing.ServiceException["validationErrors"]!["regional.indiaDlt.principalEntityId"]);

        Reply tooLong = await client.PostJsonAsync($"/2fa/2/applications/{app}/messages",
            """{"messageText":"Code {{pin}}","pinType":"NUMERIC","regional":{"indiaDlt":{"principalEntityId":"1","contentTemplateId":""" + $"\"{new string('7', 31)}\",\"teleMarketerId\":\"{new string('8', 256)}\"" + "}}}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.Status);
        JsonNode errors = tooLong.ServiceException["validationErrors"]!;
        Assert.NotNull(errors["regional.indiaDlt.contentTemplateId"]);
        Assert.NotNull(errors["regional.indiaDlt.teleMarketerId"]);
        Assert.Empty((await client.GetJsonAsync($"/2fa/2/applications/{app}/messages")).Json.AsArray());

        string valid = """{"indiaDlt":{"principalEntityId":"1101234567890","contentTemplateId":"1107161234567890123","teleMarketerId":"TM1"}}""";
        string template = await client.CreateTemplateAsync(app, """{"messageText":"Code {{pin}}","pinType":"NUMERIC","regional":""" + valid + "}");
        string stored = (await client.GetJsonAsync($"/2fa/2/applications/{app}/messages/{template}")).Json.ToJsonString();
        Assert.Equal(JsonNode.Parse(valid)!.ToJsonString(), JsonNode.Parse(stored)!["regional"]!.ToJsonString());

        Reply update = await client.PutJsonAsync($"/2fa/2/applications/{app}/messages/{template}",
            """{"regional":{"indiaDlt":{"principalEntityId":"","teleMarketerId":"TM2"}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, update.Status);
        Assert.NotNull(update.ServiceException["validationErrors"]!["regional.indiaDlt.principalEntityId"]);
        Assert.Equal(stored, (await client.GetJsonAsync($"/2fa/2/applications/{app}/messages/{template}")).Json.ToJsonString());
    }

    private static async Task<Setup> SetUpAsync(HttpClient client)
    {
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 10));
        long body = await client.CreateEmailBodyAsync();
        string emailTemplate = (await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"a@example.com"}""")).Str("messageId");
        Reply webhook = await client.PostJsonAsync($"/opentfa/v1/applications/{app}/webhooks", """{"url":"https://hooks.example.com/h","events":["pin.sent"]}""");
        Assert.True(webhook.Status == HttpStatusCode.OK, webhook.ToString());
        string pin = await client.SendPinOkAsync(app, template, Phone);

        // The snapshot must not see the dispatcher move the message on, so it starts once the message has left the queue.
        await Poll.UntilAsync(
            async () => (await client.GetJsonAsync($"/opentfa/v1/pins/{pin}/messages")).Json[0]?["state"]?.GetValue<string>() != "QUEUED",
            TimeSpan.FromSeconds(10),
            () => $"the message of {pin} is still queued");

        return new Setup(app, template, emailTemplate, body, webhook.Str("webhookId"), pin);
    }

    /// <summary>What the hostile requests could have changed, as one comparable text.</summary>
    private static async Task<string> SnapshotAsync(HttpClient client, Setup s)
    {
        var text = new StringBuilder();
        foreach (string path in new[]
        {
            "/2fa/2/applications", $"/2fa/2/applications/{s.App}/messages", $"/2fa/2/applications/{s.App}/verifications?msisdn={Phone}",
            "/opentfa/v1/email-bodies", "/opentfa/v1/tenants", $"/opentfa/v1/applications/{s.App}/webhooks",
            "/opentfa/v1/protection", $"/opentfa/v1/applications/{s.App}/protection", $"/opentfa/v1/pins/{s.Pin}/messages",
        })
        {
            Reply reply = await client.GetJsonAsync(path);
            Assert.True(reply.Status == HttpStatusCode.OK, $"{path}: {reply}");
            text.Append(path).Append(' ').AppendLine(reply.Json.ToJsonString());
        }

        // A key's last-used time moves with every request; its id and name do not.
        JsonArray keys = (await client.GetJsonAsync("/opentfa/v1/keys")).Json.AsArray();
        text.AppendLine(string.Join(',', keys.Select(k => $"{k!["keyId"]}:{k["name"]}").Order(StringComparer.Ordinal)));
        return text.ToString();
    }

    private static bool NamesField(string path, JsonNode? json, string field) =>
        path.StartsWith("/2fa/2", StringComparison.Ordinal)
            ? json?["requestError"]?["serviceException"] is { } e && e["messageId"]?.GetValue<string>() == "BAD_REQUEST" && e["validationErrors"]?[field] is not null
            : json?["status"]?.GetValue<int>() == 400 && json["errors"]?[field] is not null;

    private static async Task<(HttpStatusCode Status, JsonNode? Json)> SendRawAsync(HttpClient client, string method, string path, byte[]? body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode < 500, $"{method} {path}: {(int)response.StatusCode} {text}");
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
