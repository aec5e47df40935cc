using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Telegram;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>The fake Telegram gateway, shared by the tests of <see cref="TelegramChannelTests"/>.</summary>
public sealed class TelegramGatewayFixture : IAsyncLifetime
{
    public TelegramGatewayPeer Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await TelegramGatewayPeer.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>
/// The <c>telegram</c> channel on its own against the fake Gateway API: an outgoing message in, a
/// delivery result out, and what the gateway was asked; its settings as start-up checks them; and
/// the fake's own self-test.
/// </summary>
public sealed class TelegramChannelTests(TelegramGatewayFixture fixture) : IClassFixture<TelegramGatewayFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly TelegramGatewayPeer _gateway = fixture.Gateway;
    private readonly FakeTimeProvider _time = new(Now);

    private TelegramGatewayChannel Channel(bool check = true, Uri? baseUrl = null) => new("tg", new TelegramChannelOptions
    {
        BaseUrl = baseUrl ?? _gateway.BaseUrl,
        AccessToken = TelegramGatewayPeer.Token,
        UseCheckSendAbility = check,
        Timeout = TimeSpan.FromSeconds(5),
    }, _time, NullLogger<TelegramGatewayChannel>.Instance);

    private static OutgoingMessage Message(string to, string? code = "482913", TimeSpan? left = null, int attempt = 1) =>
        new(Guid.NewGuid().ToString("N").ToUpperInvariant(), "PIN", ChannelKind.Telegram, to, null,
            new MessageContent($"Your code is {code}", Code: code), attempt, Now + (left ?? TimeSpan.FromMinutes(10)));

    [Theory]
    [InlineData(600.9, 600)]
    [InlineData(7200, 3600)]
    [InlineData(3600, 3600)]
    [InlineData(30, 30)]
    [InlineData(12, 30)]
    public async Task Send_TtlIsTheWholeSecondsUntilThePinExpires_ClampedIntoTheGatewaysRange(double secondsLeft, int ttl)
    {
        using TelegramGatewayChannel channel = Channel();
        string to = $"4179301{(int)secondsLeft:D4}";

        DeliveryResult result = await channel.SendAsync(Message(to, left: TimeSpan.FromSeconds(secondsLeft)), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        JsonNode send = Assert.Single(await _gateway.CallsAsync("sendVerificationMessage", "+" + to));
        Assert.Equal(ttl, send["params"]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task Send_WithoutCheckSendAbilityOrCallbackBase_SendsTheCodeAlone_AndTheGatewaysRequestIdIsTheMessageId()
    {
        using TelegramGatewayChannel channel = Channel(check: false);
        OutgoingMessage message = Message("41793011001", code: "1234");

        DeliveryResult result = await channel.SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        Assert.Empty(await _gateway.CallsAsync("checkSendAbility", "+41793011001"));
        JsonNode send = Assert.Single(await _gateway.CallsAsync("sendVerificationMessage", "+41793011001"));
        Assert.Equal(["phone_number", "code", "ttl", "payload"], send["params"]!.AsObject().Select(p => p.Key));
        Assert.Equal("1234", send["params"]!["code"]!.GetValue<string>());
        Assert.Equal(message.Id, send["params"]!["payload"]!.GetValue<string>());
        Assert.Equal(send["response"]!["body"]!["result"]!["request_id"]!.GetValue<string>(), result.ChannelMessageId);
    }

    [Fact]
    public async Task Retry_OfAMessageWhoseSendFailed_ReusesThePaidRequest_AndTheCacheIsEmptiedOnceSent()
    {
        using TelegramGatewayChannel channel = Channel();
        OutgoingMessage message = Message("41793011002");
        await _gateway.FailAsync("sendVerificationMessage", "FLOOD_WAIT_5", 429);

        DeliveryResult first = await channel.SendAsync(message, CancellationToken.None);
        Assert.Equal(1, channel.PaidRequests);
        DeliveryResult second = await channel.SendAsync(message with { Attempt = 2 }, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, first.Outcome);
        Assert.Equal("Telegram's gateway answered sendVerificationMessage with FLOOD_WAIT_5 (HTTP 429)", first.Error);
        Assert.Equal(DeliveryOutcome.Accepted, second.Outcome);
        Assert.Single(await _gateway.CallsAsync("checkSendAbility", "+41793011002"));
        Assert.Equal(0, channel.PaidRequests);
    }

    [Fact]
    public async Task Retry_AfterTheSendWentThroughButItsAnswerWasLost_IsAccepted_WithoutAnotherSend()
    {
        using TelegramGatewayChannel channel = Channel();
        OutgoingMessage message = Message("41793011003");
        await _gateway.FailAsync("sendVerificationMessage", "FLOOD_WAIT_1", 429);
        Assert.Equal(DeliveryOutcome.TemporaryFailure, (await channel.SendAsync(message, CancellationToken.None)).Outcome);
        string requestId = Assert.Single(await _gateway.CallsAsync("checkSendAbility", "+41793011003"))["response"]!["body"]!["result"]!["request_id"]!.GetValue<string>();

        // Another client of the account uses the paid request first (as a send whose answer never arrived would have).
        using var other = new HttpClient();
        using var used = new HttpRequestMessage(HttpMethod.Post, new Uri(_gateway.BaseUrl, "sendVerificationMessage"))
        {
            Content = new StringContent($$"""{"phone_number":"+41793011003","request_id":"{{requestId}}","code":"482913"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        used.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TelegramGatewayPeer.Token);
        (await other.SendAsync(used)).EnsureSuccessStatusCode();

        DeliveryResult retry = await channel.SendAsync(message with { Attempt = 2 }, CancellationToken.None);

        Assert.Equal(DeliveryResult.Accepted(requestId), retry);
        Assert.Equal("REQUEST_ID_ALREADY_USED", (await _gateway.CallsAsync("sendVerificationMessage", "+41793011003"))[^1]["response"]!["body"]!["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("checkSendAbility", "FLOOD_WAIT_30", 200, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "TOO_MANY_REQUESTS", 429, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "INTERNAL_ERROR", 500, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "PHONE_NUMBER_INVALID", 503, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "ACCESS_TOKEN_INVALID", 200, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "BALANCE_NOT_ENOUGH", 200, DeliveryOutcome.TemporaryFailure)]
    [InlineData("checkSendAbility", "PHONE_NUMBER_NOT_FOUND", 200, DeliveryOutcome.PermanentFailure)]
    [InlineData("sendVerificationMessage", "PHONE_NUMBER_INVALID", 400, DeliveryOutcome.PermanentFailure)]
    [InlineData("sendVerificationMessage", "CODE_INVALID", 200, DeliveryOutcome.PermanentFailure)]
    [InlineData("sendVerificationMessage", "TTL_INVALID", 200, DeliveryOutcome.PermanentFailure)]
    [InlineData("sendVerificationMessage", "SOMETHING_NEW", 400, DeliveryOutcome.PermanentFailure)]
    public async Task GatewayErrors_AreTemporaryForFloodServerAndAccountProblems_AndPermanentForTheRecipientOrTheCode(string method, string error, int status, DeliveryOutcome outcome)
    {
        using TelegramGatewayChannel channel = Channel();
        await _gateway.FailAsync(method, error, status);

        DeliveryResult result = await channel.SendAsync(Message($"4179302{Math.Abs(HashCode.Combine(method, error)) % 10000:D4}"), CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal($"Telegram's gateway answered {method} with {error}{(status == 200 ? string.Empty : $" (HTTP {status})")}", result.Error);
        Assert.Equal(outcome == DeliveryOutcome.PermanentFailure || method == "checkSendAbility" ? 0 : 1, channel.PaidRequests);
    }

    [Fact]
    public async Task UnreachableGateway_IsATemporaryFailure()
    {
        using TelegramGatewayChannel channel = Channel(baseUrl: new Uri($"http://127.0.0.1:{FreePort.Next()}"));

        DeliveryResult result = await channel.SendAsync(Message("41793011004"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.StartsWith("could not reach http://127.0.0.1:", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "carries no code")]
    [InlineData("123", "has 3 characters;")]
    [InlineData("123456789", "has 9 characters;")]
    [InlineData("12AB56", "has 6 characters, not all digits")]
    public async Task CodeTheGatewayCannotCarry_IsRefusedForGood_WithoutACall_AndWithoutThePinInTheError(string? code, string says)
    {
        using TelegramGatewayChannel channel = Channel();

        DeliveryResult result = await channel.SendAsync(Message("41793011005", code), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, result.Outcome);
        Assert.Contains(says, result.Error, StringComparison.Ordinal);
        if (code is not null)
        {
            Assert.DoesNotContain(code, result.Error, StringComparison.Ordinal);
        }

        Assert.Empty(await _gateway.CallsAsync("+41793011005"));
    }

    [Fact]
    public void Settings_AreCheckedAtStartUp_NamingEachBadSetting_WithoutShowingTheToken()
    {
        static IReadOnlyList<string> Problems(params (string, string?)[] settings) =>
            ChannelSettingsProbe.Problems(new TelegramChannelFactory(), ChannelSettingsProbe.Section("tg", [("Type", "telegram"), .. settings]), TimeSpan.FromSeconds(30));

        IReadOnlyList<string> missing = Problems();
        IReadOnlyList<string> bad = Problems(("AccessToken", "secret-token-value-1"), ("SenderUsername", "a b"), ("CallbackBaseUrl", "ftp://otp.example.com"), ("BaseUrl", "nope"), ("Timeout", "00:01:00"));
        IReadOnlyList<string> tooLong = Problems(("AccessToken", "t"), ("CallbackBaseUrl", "https://otp.example.com/" + new string('a', 220)));
        IReadOnlyList<string> good = Problems(("AccessToken", "t"), ("SenderUsername", "@acme_codes"), ("CallbackBaseUrl", "https://otp.example.com"), ("UseCheckSendAbility", "false"));

        Assert.Contains(missing, p => p.StartsWith("OpenTfa:Channels:tg:AccessToken (or AccessTokenFile) is required", StringComparison.Ordinal));
        Assert.Contains(bad, p => p.StartsWith("OpenTfa:Channels:tg:SenderUsername must be a Telegram username", StringComparison.Ordinal));
        Assert.Contains(bad, p => p.StartsWith("OpenTfa:Channels:tg:CallbackBaseUrl must be an absolute http or https URL", StringComparison.Ordinal));
        Assert.Contains(bad, p => p.StartsWith("OpenTfa:Channels:tg:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(bad, p => p.StartsWith("OpenTfa:Channels:tg:Timeout", StringComparison.Ordinal));
        Assert.All(bad, p => Assert.DoesNotContain("secret-token-value-1", p, StringComparison.Ordinal));
        Assert.Contains(tooLong, p => p.StartsWith("OpenTfa:Channels:tg:CallbackBaseUrl makes the callback URL", StringComparison.Ordinal) && p.Contains("256 bytes", StringComparison.Ordinal));
        Assert.Empty(good);
        TelegramChannelOptions defaults = ChannelSettingsProbe.Read<TelegramChannelOptions>(new TelegramChannelFactory(), ChannelSettingsProbe.Section("tg", ("AccessToken", "t")));
        Assert.Equal(new Uri("https://gatewayapi.telegram.org"), defaults.BaseUrl);
        Assert.True(defaults.UseCheckSendAbility);
    }

    [Fact]
    public void AccessToken_MayBeGivenAsAFile()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "token-from-a-file\n");
            TelegramChannelOptions options = ChannelSettingsProbe.Read<TelegramChannelOptions>(new TelegramChannelFactory(), ChannelSettingsProbe.Section("tg", ("AccessTokenFile", file)));
            Assert.Equal("token-from-a-file", options.AccessToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task TheFakeGateway_PassesItsOwnSelfTest()
    {
        await NodePeer.EnsureInstalledAsync(TelegramGatewayPeer.Directory);

        ProgramResult run = await PeerProcess.RunAsync(
            new ProgramStart("node", ["--test"]) { WorkingDirectory = TelegramGatewayPeer.Directory, MissingHint = NodePeer.NodeHint }, TimeSpan.FromSeconds(60));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"# pass [1-9]", run.Stdout);
        Assert.Contains("# fail 0", run.Stdout, StringComparison.Ordinal);
    }
}
