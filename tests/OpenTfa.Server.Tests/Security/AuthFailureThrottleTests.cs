using System.Net;
using System.Net.Http.Headers;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Security;

/// <summary>The failed-authentication throttle slows guessing and never locks out a valid key.</summary>
public sealed class AuthFailureThrottleTests
{
    [Fact]
    public async Task FiveHundredWrongKeys_ThenTheValidKeyFromTheSameClient_Answers200AtOnce_WhileGuessesStay429()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:MaxAuthFailuresPerMinute"] = "30" });
        using HttpClient guesser = server.Client("otf_0123456789abcdef_not-the-secret-at-all-not-the-secret-at-all");

        var statuses = new List<HttpStatusCode>();
        for (int batch = 0; batch < 10; batch++)
        {
            HttpResponseMessage[] replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => guesser.GetAsync(new Uri("/2fa/2/applications", UriKind.Relative))));
            statuses.AddRange(replies.Select(r => r.StatusCode));
        }

        Assert.Equal(500, statuses.Count);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.InRange(statuses.Count(s => s == HttpStatusCode.Unauthorized), 30, 90);

        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetJsonAsync("/2fa/2/applications")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.Client().GetJsonAsync("/opentfa/v1/keys")).Status);

        Reply slowed = await guesser.GetJsonAsync("/2fa/2/applications");
        Assert.Equal(HttpStatusCode.TooManyRequests, slowed.Status);
        Assert.Equal("TOO_MANY_REQUESTS", slowed.ErrorMessageId);
        Assert.True(slowed.Response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task GuessesAtOneKeyId_FromManyForwardedClients_AreSlowedForThatKeyIdOnly()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "5",
            ["OpenTfa:TrustedProxies:0"] = "127.0.0.1",
        });

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, $"198.51.100.{i}", "otf_00000000000000aa_wrong-secret-wrong-secret-wrong-secret-wrong"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(server, "198.51.100.50", "otf_00000000000000aa_another-wrong-secret-another-wrong-secret-aa"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, "198.51.100.50", "otf_00000000000000bb_wrong-secret-wrong-secret-wrong-secret-wrong"));
    }

    [Fact]
    public async Task ForwardedFor_FromATrustedProxy_CountsEachClient_ButIsIgnoredFromAnyoneElse()
    {
        var limit = new Dictionary<string, string?> { ["OpenTfa:MaxAuthFailuresPerMinute"] = "5" };
        await using TestServer behindProxy = await TestServer.StartAsync(new Dictionary<string, string?>(limit) { ["OpenTfa:TrustedProxies:0"] = "127.0.0.0/8" });
        await using TestServer direct = await TestServer.StartAsync(limit);

        foreach (TestServer server in new[] { behindProxy, direct })
        {
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(server, "198.51.100.1", WrongKey(i)));
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(server, "198.51.100.1", WrongKey(5)));
        }

        // Behind the proxy another client is its own; without trust, the header is ignored and
        // every request is the one loopback client that is already over the limit.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(behindProxy, "198.51.100.2", WrongKey(6)));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(direct, "198.51.100.2", WrongKey(6)));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(direct, "198.51.100.1", TestServer.BootstrapKey));
    }

    [Fact]
    public void MaxAuthFailuresPerMinute_Zero_IsRefusedAtStart()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(new Dictionary<string, string?>
        {
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "0",
            ["OpenTfa:TrustedProxies:0"] = "not-a-network",
        }));

        Assert.Contains("OpenTfa:MaxAuthFailuresPerMinute must be between 1 and 1000000, was 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:TrustedProxies: 'not-a-network' is not an address or a CIDR network", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A wrong key with an id of its own, so that only the client's count grows.</summary>
    private static string WrongKey(int i) => $"otf_{i:x16}_wrong-secret-wrong-secret-wrong-secret-wrong-secre";

    private static async Task<HttpStatusCode> StatusAsync(TestServer server, string forwardedFor, string key)
    {
        using var client = TestServer.ClientFor(server.BaseAddress, key: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/2fa/2/applications");
        request.Headers.Authorization = new AuthenticationHeaderValue("App", key);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }
}
