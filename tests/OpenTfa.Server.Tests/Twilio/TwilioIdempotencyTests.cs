using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>A client that retries a Twilio verification start with the same Idempotency-Key sends one code.</summary>
public sealed class TwilioIdempotencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Start_RetriedWithTheSameKey_AnswersTheFirstAnswerAndSendsOnce()
    {
        TestServer server = fixture.Server;
        HttpClient client = server.Client();
        string service = JsonNode.Parse(await (await PostAsync(client, "/v2/Services", "FriendlyName=Retries", null)).Content.ReadAsStringAsync())!["sid"]!.GetValue<string>();
        string path = $"/v2/Services/{service}/Verifications";

        HttpResponseMessage first = await PostAsync(client, path, "To=%2B41793026761&Channel=sms", "start-1");
        HttpResponseMessage again = await PostAsync(client, path, "To=%2B41793026761&Channel=sms", "start-1");
        HttpResponseMessage other = await PostAsync(client, path, "To=%2B41793026762&Channel=sms", "start-1");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        string body = await first.Content.ReadAsStringAsync();
        Assert.Equal(body, await again.Content.ReadAsStringAsync());
        Assert.Single(JsonNode.Parse(body)!["send_code_attempts"]!.AsArray());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        JsonNode refused = JsonNode.Parse(await other.Content.ReadAsStringAsync())!;
        Assert.Equal((60200, 422), ((int)refused["code"]!, (int)refused["status"]!));

        string pinId = JsonNode.Parse(body)!["sid"]!.GetValue<string>()[2..].ToUpperInvariant();
        JsonArray messages = (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages").OkAsync()).Json.AsArray();
        Assert.Single(messages);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string form, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(form, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }
}
