using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>Raw JSON calls, so that tests see exactly what each node answers.</summary>
public static class Api
{
    public const string Template = """{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","language":"en"}""";

    /// <summary>An application whose limits never get in the way, with the given overrides.</summary>
    public static string Application(int attempts = 10, bool allowMultiple = true, string phoneLimit = "100000/1d", bool enabled = true, string applicationLimit = "100000/1d") =>
        $$$"""
        {"name":"multi-node","enabled":{{{(enabled ? "true" : "false")}}},"configuration":{"allowMultiplePinVerifications":{{{(allowMultiple ? "true" : "false")}}},
         "pinAttempts":{{{attempts}}},"pinTimeToLive":"15m","sendPinPerApplicationLimit":"{{{applicationLimit}}}","sendPinPerPhoneNumberLimit":"{{{phoneLimit}}}","verifyPinLimit":"100000/1d"}}
        """;

    public static async Task<(string App, string Template)> CreateAppAndTemplateAsync(this HttpClient client, string? application = null)
    {
        Reply app = await client.PostJsonAsync("/2fa/2/applications", application ?? Application());
        Assert.True(app.Status == HttpStatusCode.OK, app.ToString());
        string appId = app.Str("applicationId");
        Reply template = await client.PostJsonAsync($"/2fa/2/applications/{appId}/messages", Template);
        Assert.True(template.Status == HttpStatusCode.OK, template.ToString());
        return (appId, template.Str("messageId"));
    }

    public static Task<Reply> SendPinAsync(this HttpClient client, string app, string template, string to) =>
        client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}"}""");

    public static async Task<string> SendPinOkAsync(this HttpClient client, string app, string template, string to)
    {
        Reply reply = await client.SendPinAsync(app, template, to);
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        Assert.Equal("MESSAGE_SENT", reply.Str("smsStatus"));
        return reply.Str("pinId");
    }

    /// <summary>The outbox states of a PIN's messages (OpenTfa's own API).</summary>
    public static async Task<JsonArray> MessagesAsync(this HttpClient client, string pinId)
    {
        Reply reply = await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages");
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply.Json.AsArray();
    }

    /// <summary>A Swiss mobile number, plausible for the number check, distinct per <paramref name="n"/>.</summary>
    public static string Number(int series, int n) => $"4179{series:D2}{n:D5}";

    /// <summary>Starts <paramref name="count"/> calls at once; every answer is returned, and none may be a 5xx.</summary>
    public static async Task<Reply[]> RaceAsync(int count, Func<int, Task<Reply>> call)
    {
        using var start = new SemaphoreSlim(0);
        Task<Reply>[] tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await start.WaitAsync();
            return await call(i);
        }).ToArray();
        start.Release(count);
        Reply[] replies = await Task.WhenAll(tasks);
        Assert.DoesNotContain(replies, r => (int)r.Status >= 500);
        return replies;
    }
}
