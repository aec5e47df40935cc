using System.Text.Json.Nodes;

namespace OpenTfa.Delivery.Tests.Infrastructure;

/// <summary>Raw JSON calls to the server, so that tests see exactly what goes over the wire.</summary>
public static class Json
{
    public static async Task<JsonNode> OkAsync(this HttpClient client, HttpMethod method, string path, string? json = null) =>
        (await client.SendAsync(method, path, json).OkAsync()).Json;

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
