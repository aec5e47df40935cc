using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenTfa.Delivery.Tests.Infrastructure;

/// <summary>Raw JSON calls to the server, so that tests see exactly what goes over the wire.</summary>
public static class Json
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> CallAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task<JsonNode> OkAsync(this HttpClient client, HttpMethod method, string path, string? json = null)
    {
        (HttpStatusCode status, JsonNode? body) = await client.CallAsync(method, path, json);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {(int)status} {body?.ToJsonString()}");
        return body!;
    }

    public static Task<JsonNode> PostOkAsync(this HttpClient client, string path, string json) => client.OkAsync(HttpMethod.Post, path, json);

    /// <summary>An application whose limits never get in the way.</summary>
    public const string RoomyApplication =
        """{"name":"delivery tests","enabled":true,"configuration":{"pinAttempts":10,"pinTimeToLive":"15m","sendPinPerApplicationLimit":"10000/1d","sendPinPerPhoneNumberLimit":"10000/1d","verifyPinLimit":"10000/1d"}}""";

    /// <summary>A roomy application with an e-mail template (subject <c>Code</c>, text <c>Code {{pin}}</c>).</summary>
    public static async Task<(string App, string Template)> CreateEmailApplicationAsync(this HttpClient client)
    {
        string app = (await client.PostOkAsync("/2fa/2/applications", RoomyApplication))["applicationId"]!.GetValue<string>();
        long body = (await client.PostOkAsync("/opentfa/v1/email-bodies", """{"subject":"Code","text":"Code {{pin}}"}"""))["id"]!.GetValue<long>();
        string template = (await client.PostOkAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}}}"""))["messageId"]!.GetValue<string>();
        return (app, template);
    }

    /// <summary>Waits until the message of <paramref name="pinId"/> reaches <paramref name="state"/>; returns its status object.</summary>
    public static Task<JsonNode> WaitForMessageStateAsync(this HttpClient client, string pinId, string state, TimeSpan? timeout = null) =>
        client.WaitForMessageAsync(pinId, m => m["state"]?.GetValue<string>() == state, $"reach {state}", timeout);

    /// <summary>Waits until the last message of <paramref name="pinId"/> satisfies <paramref name="holds"/> (described by
    /// <paramref name="awaited"/>, as in "did not <paramref name="awaited"/>"); returns its status object.</summary>
    public static async Task<JsonNode> WaitForMessageAsync(this HttpClient client, string pinId, Func<JsonNode, bool> holds, string awaited, TimeSpan? timeout = null)
    {
        JsonNode? last = await Poll.UntilAsync(
            async () => (await client.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray().LastOrDefault(),
            last => last is not null && holds(last),
            timeout ?? TimeSpan.FromSeconds(20),
            last => $"The message of PIN {pinId} did not {awaited}; last: {last?.ToJsonString()}");
        return last!;
    }
}
