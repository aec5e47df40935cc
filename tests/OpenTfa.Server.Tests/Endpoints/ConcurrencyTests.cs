using System.Net;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Endpoints;

/// <summary>Limits, attempts and single use hold exactly when many requests race over HTTP.</summary>
public sealed class ConcurrencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Verify_200ConcurrentWrongGuessesWithFiveAttempts_ExactlyFiveWrongPin()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 5));
        string pinId = await client.SendPinOkAsync(app, template, "41790000001");
        string pin = await _server.Deliveries.WaitForPinAsync("41790000001");
        string wrong = pin == "0000" ? "1111" : "0000";

        Reply[] replies = await Api.RaceAsync(200, _ => client.VerifyAsync(pinId, wrong));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(5, replies.Count(r => r.Str("pinError") == "WRONG_PIN"));
        Assert.Equal(195, replies.Count(r => r.Str("pinError") == "NO_MORE_PIN_ATTEMPTS"));
        Assert.Equal([0, 1, 2, 3, 4], replies.Where(r => r.Str("pinError") == "WRONG_PIN").Select(r => r.Json["attemptsRemaining"]!.GetValue<int>()).Order());
        Assert.Equal("NO_MORE_PIN_ATTEMPTS", (await client.VerifyAsync(pinId, pin)).Str("pinError"));
    }

    [Fact]
    public async Task Verify_50ConcurrentCorrectVerifiesOfSingleUsePin_ExactlyOneVerified()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(allowMultiple: false));
        string pinId = await client.SendPinOkAsync(app, template, "41790000002");
        string pin = await _server.Deliveries.WaitForPinAsync("41790000002");

        Reply[] replies = await Api.RaceAsync(50, _ => client.VerifyAsync(pinId, pin));

        Assert.Single(replies, r => r.Json["verified"]!.GetValue<bool>());
        Assert.Equal(49, replies.Count(r => r.Json["pinError"]?.GetValue<string>() == "NO_MORE_PIN_ATTEMPTS" && r.Json["attemptsRemaining"]!.GetValue<int>() == 0));
    }

    [Fact]
    public async Task Send_100ConcurrentSendsToOneNumberUnder3Per1d_Exactly3Accepted()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(phoneLimit: "3/1d"));

        Reply[] replies = await Api.RaceAsync(100, _ => client.SendPinAsync(app, template, "41790000003"));

        Assert.Equal(3, replies.Count(r => r.Status == HttpStatusCode.OK));
        Reply[] refused = replies.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToArray();
        Assert.Equal(97, refused.Length);
        Assert.All(refused, r =>
        {
            Assert.Equal("TOO_MANY_REQUESTS", r.ErrorMessageId);
            Assert.True(int.Parse(r.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        });
    }

    [Fact]
    public async Task Send_100ConcurrentSendsUnderApplicationLimit_ExactlyTheLimitAccepted()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(appLimit: "7/1h"));

        Reply[] replies = await Api.RaceAsync(100, i => client.SendPinAsync(app, template, $"417910{i:D5}"));

        Assert.Equal(7, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(93, replies.Count(r => r.Status == HttpStatusCode.TooManyRequests && r.Response.Headers.Contains("Retry-After")));
    }

    [Fact]
    public async Task Verify_100ConcurrentVerifiesUnderVerifyLimit_ExactlyTheLimitAnsweredAndNoAttemptBurnt()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(attempts: 1000, verifyLimit: "10/1h"));
        string pinId = await client.SendPinOkAsync(app, template, "41790000004");
        string pin = await _server.Deliveries.WaitForPinAsync("41790000004");
        string wrong = pin == "0000" ? "1111" : "0000";

        Reply[] replies = await Api.RaceAsync(100, _ => client.VerifyAsync(pinId, wrong));

        Assert.Equal(10, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(90, replies.Count(r => r.Status == HttpStatusCode.TooManyRequests && r.Response.Headers.Contains("Retry-After")));
        Assert.Equal(990, replies.Where(r => r.Status == HttpStatusCode.OK).Min(r => r.Json["attemptsRemaining"]!.GetValue<int>()));
    }
}
