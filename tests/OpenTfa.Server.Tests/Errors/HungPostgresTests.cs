using System.Net;
using System.Security.Cryptography;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Errors;

/// <summary>
/// A PostgreSQL server that hangs (accepts connections, never answers) in front of the real
/// server: readiness and every request answer 503 with <c>Retry-After</c> within their limits
/// instead of waiting for the database, and the server recovers once it answers again.
/// </summary>
public sealed class HungPostgresTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    /// <summary>
    /// Far below what a hung database used to cost (15 s and more per request, one send after the
    /// other), far above the configured limits (2 s for readiness, 2 s per connection or statement).
    /// </summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task Ready_WhenPostgresHangs_Answers503WithRetryAfter_AndRecovers()
    {
        await using HangingProxy proxy = HangingProxy.Start(postgres.Port);
        await using TestServer server = await StartAsync(proxy);
        using HttpClient probe = Probe(server);
        Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);

        proxy.Hang();
        using HttpResponseMessage hung = await probe.GetAsync("/health/ready");
        using HttpResponseMessage again = await probe.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, hung.StatusCode);
        Assert.Contains("unavailable", await hung.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(hung.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);

        proxy.Resume();
        await EventuallyReadyAsync(probe);
    }

    [Fact]
    public async Task Sends_WhenPostgresHangs_Answer503EnvelopeWithRetryAfter_AllWithinTheLimit()
    {
        await using HangingProxy proxy = HangingProxy.Start(postgres.Port);
        await using TestServer server = await StartAsync(proxy);
        using HttpClient client = server.Client();
        client.Timeout = Deadline;
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        await client.SendPinOkAsync(app, template, "41793000100");

        proxy.Hang();
        Reply[] sends = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.SendPinAsync(app, template, $"4179300011{i}")));

        Assert.All(sends, send =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, send.Status);
            Assert.Equal("GENERAL_ERROR", send.ErrorMessageId);
            Assert.True(send.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, send.ToString());
        });

        proxy.Resume();
        await EventuallyReadyAsync(Probe(server));
        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000199")).Status);
    }

    [Fact]
    public async Task OwnEndpoints_WhenPostgresHangs_Answer503ProblemWithRetryAfter()
    {
        await using HangingProxy proxy = HangingProxy.Start(postgres.Port);
        await using TestServer server = await StartAsync(proxy);
        using HttpClient client = server.Client();
        client.Timeout = Deadline;
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/opentfa/v1/tenants")).Status);

        proxy.Hang();
        Reply tenants = await client.GetJsonAsync("/opentfa/v1/tenants");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, tenants.Status);
        Assert.Equal("application/problem+json", tenants.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(503, tenants.Json["status"]!.GetValue<int>());
        Assert.True(tenants.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, tenants.ToString());
    }

    private async Task<TestServer> StartAsync(HangingProxy proxy)
    {
        string database = await postgres.CreateDatabaseAsync();
        var throughProxy = new Npgsql.NpgsqlConnectionStringBuilder(database) { Port = proxy.Port };
        return await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["OpenTfa:Storage:Provider"] = "postgres",
            ["OpenTfa:Storage:ConnectionString"] = throughProxy.ConnectionString,
            ["OpenTfa:Storage:ConnectTimeout"] = "00:00:02",
            ["OpenTfa:Storage:CommandTimeout"] = "00:00:02",
            ["OpenTfa:Encryption:Key"] = $"k1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
        });
    }

    private static HttpClient Probe(TestServer server)
    {
        HttpClient probe = server.Client(key: null);
        probe.Timeout = Deadline;
        return probe;
    }

    private static async Task EventuallyReadyAsync(HttpClient probe)
    {
        await Poll.UntilAsync(
            async () =>
            {
                using HttpResponseMessage ready = await probe.GetAsync("/health/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(60),
            () => "/health/ready never answered 200");
    }
}
