using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Storage;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Hosting;

public sealed class PersistenceAndTimeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Restart_BetweenSendAndVerify_PinStillVerifiesWithTheRightAttemptsLeft()
    {
        await using TestServer server = await TestServer.StartAsync();
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 3));
        string pinId = await client.SendPinOkAsync(app, template, "41793000301");
        string pin = await server.Deliveries.WaitForPinAsync("41793000301");
        Assert.Equal(2, (await client.VerifyAsync(pinId, pin == "0000" ? "1111" : "0000")).Json["attemptsRemaining"]!.GetValue<int>());

        await server.RestartAsync();
        client = server.Client();

        Assert.Equal(1, (await client.VerifyAsync(pinId, pin == "0000" ? "1111" : "0000")).Json["attemptsRemaining"]!.GetValue<int>());
        Reply ok = await client.VerifyAsync(pinId, pin);
        Assert.True(ok.Json["verified"]!.GetValue<bool>());
        Assert.Equal(1, ok.Json["attemptsRemaining"]!.GetValue<int>());
    }

    [Fact]
    public async Task PinsAndMessages_AreEncryptedAtRest_AndKeysStoredHashed()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Delivery:PollInterval"] = "01:00:00" });
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(template: """{"messageText":"Your code: {{pin}}","pinType":"ALPHA","pinLength":12}""");
        string pinId = await client.SendPinOkAsync(app, template, "41793000302");
        string pin = await server.Deliveries.WaitForPinAsync("41793000302");

        string database = Path.Combine(server.DataDirectory, "opentfa.db");
        byte[] everything = [.. File.ReadAllBytes(database), .. File.Exists(database + "-wal") ? File.ReadAllBytes(database + "-wal") : []];
        Assert.DoesNotContain(pin, Encoding.UTF8.GetString(everything), StringComparison.Ordinal);
        Assert.DoesNotContain(TestServer.BootstrapKey, Encoding.UTF8.GetString(everything), StringComparison.Ordinal);
        Assert.True((await client.VerifyAsync(pinId, pin)).Json["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Ttl_ExpiredPinAnswersTtlExpired_AndAfterRetentionIsGone()
    {
        var time = new FakeTimeProvider(Start);
        await using TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(ttl: "10m"));
        string pinId = await client.SendPinOkAsync(app, template, "41793000303");
        string pin = await server.Deliveries.WaitForPinAsync("41793000303");

        time.Advance(TimeSpan.FromMinutes(10));
        Reply expired = await client.VerifyAsync(pinId, pin);
        Assert.False(expired.Json["verified"]!.GetValue<bool>());
        Assert.Equal("TTL_EXPIRED", expired.Str("pinError"));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}")).Status);

        time.Advance(TimeSpan.FromHours(23));
        await server.Services.GetRequiredService<IStoreMaintenance>().PruneAsync(time.GetUtcNow(), new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30)), CancellationToken.None);
        Assert.Equal("TTL_EXPIRED", (await client.VerifyAsync(pinId, pin)).Str("pinError"));

        time.Advance(TimeSpan.FromHours(2));
        await server.Services.GetRequiredService<IStoreMaintenance>().PruneAsync(time.GetUtcNow(), new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30)), CancellationToken.None);
        Assert.Equal(HttpStatusCode.NotFound, (await client.VerifyAsync(pinId, pin)).Status);
        Assert.Single((await client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000303")).Json["verifications"]!.AsArray());
    }

    [Fact]
    public async Task SlidingWindow_RetryAfterIsExact_AndTheWindowSlides()
    {
        var time = new FakeTimeProvider(Start);
        await using TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(phoneLimit: "2/1m"));

        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000304")).Status);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000304")).Status);
        time.Advance(TimeSpan.FromSeconds(10));
        Reply refused = await client.SendPinAsync(app, template, "41793000304");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
        Assert.Equal("30", refused.Response.Headers.GetValues("Retry-After").Single());
        Assert.Contains("sendPinPerPhoneNumberLimit", refused.ServiceException["text"]!.GetValue<string>());

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000304")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SendPinAsync(app, template, "41793000304")).Status);
    }
}
