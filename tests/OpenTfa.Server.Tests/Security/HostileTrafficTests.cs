using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// Thousands of hostile requests — wrong keys, foreign and malformed ids, broken bodies,
/// control characters — interleaved with a tenant's ordinary calls, on each store: the
/// ordinary calls all succeed, nothing answers 5xx, and nothing the tenant stored changes.
/// </summary>
public sealed class HostileTrafficTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const int Requests = 3000;

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task HostileRequests_LeaveAValidKeyWorking_AndNeverAnswer5xx(string provider)
    {
        await using TestServer server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["OpenTfa:MaxAuthFailuresPerMinute"] = "30" },
            postgres: provider == "postgres" ? postgres : null);
        HttpClient tenant = server.Client();
        (string app, string template) = await tenant.CreateAppAndTemplateAsync();
        string pinId = await tenant.SendPinOkAsync(app, template, "41793000777");
        string before = await StateAsync(tenant, app, template);
        using HttpClient anonymous = server.Client(key: null);
        using HttpClient bareWrong = server.Client("not-a-key-but-long-enough-to-look-like-one");
        using HttpClient generatedWrong = server.Client("otf_00000000000000ff_wrong-secret-wrong-secret-wrong-secret-wrong-s");
        HttpClient[] guessers = [anonymous, bareWrong, generatedWrong];

        var unexpected = new ConcurrentQueue<string>();
        int wrongKeys = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            (HttpClient client, HttpRequestMessage request, Func<HttpStatusCode, bool> expected) = Hostile(i, tenant, guessers, app, template, pinId);
            if (client != tenant)
            {
                Interlocked.Increment(ref wrongKeys);
            }

            using (request)
            using (HttpResponseMessage response = await client.SendAsync(request, ct))
            {
                if ((int)response.StatusCode >= 500 || !expected(response.StatusCode))
                {
                    unexpected.Enqueue($"#{i} {request.Method} {request.RequestUri} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
        });

        Assert.True(unexpected.IsEmpty, string.Join('\n', unexpected.Take(20)));
        Assert.InRange(wrongKeys, 200, 600);
        Assert.Equal(before, await StateAsync(tenant, app, template));
        Assert.Equal(HttpStatusCode.OK, (await tenant.VerifyAsync(pinId, await server.Deliveries.WaitForPinAsync("41793000777"))).Status);
    }

    /// <summary>Request <paramref name="i"/> of the mix, with the client that sends it and the answers it may get.</summary>
    private static (HttpClient, HttpRequestMessage, Func<HttpStatusCode, bool>) Hostile(int i, HttpClient tenant, HttpClient[] guessers, string app, string template, string pinId)
    {
        static bool Client4xx(HttpStatusCode s) => (int)s is >= 400 and < 500;
        static HttpRequestMessage Json(HttpMethod method, string path, string body) =>
            new(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        static HttpRequestMessage Raw(HttpMethod method, string path, byte[] body, string type)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            return new HttpRequestMessage(method, path) { Content = content };
        }

        string foreign = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        return (i % 10) switch
        {
            // Every tenth request is the tenant's own business, and must simply work.
            0 => (tenant, new HttpRequestMessage(HttpMethod.Get, $"/2fa/2/applications/{app}/messages/{template}"), s => s == HttpStatusCode.OK),
            1 => (guessers[i / 10 % guessers.Length], new HttpRequestMessage(i % 4 == 1 ? HttpMethod.Get : HttpMethod.Post, i % 4 == 1 ? "/2fa/2/applications" : $"/2fa/2/pin/{pinId}/verify"),
                s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests),
            2 => (tenant, new HttpRequestMessage(HttpMethod.Get, $"/2fa/2/applications/{foreign}"), s => s == HttpStatusCode.NotFound),
            3 => (tenant, Json(HttpMethod.Post, $"/2fa/2/pin/{foreign}/verify", """{"pin":"1234"}"""), s => s == HttpStatusCode.NotFound),
            4 => (tenant, Json(HttpMethod.Put, $"/2fa/2/applications/{app}", (i % 3) switch
            {
                0 => """{"name":"x","name":"y"}""",
                1 => """{"name":"bad\u0000name"}""",
                _ => """{"name":"x","configuration":{"pinAttempts":"ten"}}""",
            }), Client4xx),
            5 => (tenant, Raw(HttpMethod.Post, "/2fa/2/pin", i % 2 == 0 ? [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D] : new byte[70 * 1024], "application/json"), Client4xx),
            6 => (tenant, Json(HttpMethod.Post, "/2fa/2/pin", $$"""{"applicationId":"{{app}}\u0000","messageId":"{{template}}","to":"41793000778"}"""), Client4xx),
            7 => (tenant, new HttpRequestMessage(HttpMethod.Get, $"/2fa/2/applications/{app}/verifications?msisdn=%00%0A%1B"), Client4xx),
            8 => (tenant, Json(HttpMethod.Put, $"/2fa/2/applications/{app}/messages/{template}%00", """{"messageText":"{{pin}}","pinType":"NUMERIC"}"""), Client4xx),
            _ => i % 20 == 9
                ? (tenant, new HttpRequestMessage(HttpMethod.Delete, $"/opentfa/v1/keys/{foreign}%0D%0Ax"), s => s == HttpStatusCode.BadRequest)
                : (tenant, new HttpRequestMessage(HttpMethod.Delete, $"/opentfa/v1/keys/{foreign}"), s => s == HttpStatusCode.NotFound),
        };
    }

    /// <summary>What the tenant has stored, as the API shows it.</summary>
    private static async Task<string> StateAsync(HttpClient client, string app, string template) =>
        (await client.GetJsonAsync($"/2fa/2/applications/{app}")).Json.ToJsonString()
        + (await client.GetJsonAsync($"/2fa/2/applications/{app}/messages/{template}")).Json.ToJsonString()
        + (await client.GetJsonAsync("/2fa/2/applications")).Json.ToJsonString();
}
