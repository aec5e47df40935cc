using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace OpenTfa.Testing;

/// <summary>An answer as it came over the wire: its status, its JSON body (null when empty) and the response with its headers.</summary>
public sealed record Reply(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)
{
    public JsonNode Json => Body ?? throw new InvalidOperationException($"No JSON body (status {(int)Status})");

    public string Str(string name) => Json[name]!.GetValue<string>();

    /// <summary>The Infobip error envelope's <c>requestError.serviceException</c>.</summary>
    public JsonObject ServiceException => Json["requestError"]!["serviceException"]!.AsObject();

    public string ErrorMessageId => ServiceException["messageId"]!.GetValue<string>();

    /// <summary>A verify answer's fields.</summary>
    public string? PinError => Json["pinError"]?.GetValue<string>();

    public bool Verified => Json["verified"]!.GetValue<bool>();

    public int AttemptsRemaining => Json["attemptsRemaining"]!.GetValue<int>();

    public override string ToString() => $"{(int)Status} {Body?.ToJsonString()}";
}

/// <summary>Raw JSON calls, so that tests see exactly what goes over the wire.</summary>
public static class RawJson
{
    /// <summary>The seed's template: a four-digit numeric PIN.</summary>
    public const string SeedTemplate = """{"messageText":"Your pin is {{pin}}","pinLength":4,"pinType":"NUMERIC","language":"en"}""";

    /// <summary>Sends <paramref name="json"/> (none when null) as <paramref name="contentType"/>; with
    /// <paramref name="apiKey"/>, authenticated by that key instead of the client's own.</summary>
    public static async Task<Reply> SendAsync(this HttpClient client, HttpMethod method, string path, string? json = null, string contentType = "application/json", string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("App", apiKey);
        }

        HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static Task<Reply> PostJsonAsync(this HttpClient client, string path, string json) => client.SendAsync(HttpMethod.Post, path, json);

    public static Task<Reply> PutJsonAsync(this HttpClient client, string path, string json) => client.SendAsync(HttpMethod.Put, path, json);

    public static Task<Reply> GetJsonAsync(this HttpClient client, string path, string? apiKey = null) => client.SendAsync(HttpMethod.Get, path, apiKey: apiKey);

    /// <summary>The answer, after asserting that it is a 200.</summary>
    public static async Task<Reply> OkAsync(this Task<Reply> call)
    {
        Reply reply = await call;
        Assert.True(reply.Status == HttpStatusCode.OK, reply.ToString());
        return reply;
    }

    public static Task<Reply> VerifyAsync(this HttpClient client, string pinId, string pin) =>
        client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", JsonSerializer.Serialize(new { pin }));
}
