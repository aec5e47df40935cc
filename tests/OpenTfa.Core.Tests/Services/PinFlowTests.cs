using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Tests.Services;

/// <summary>Send, resend and verify through <see cref="PinService"/> and its stages, against the real SQLite store, without HTTP.</summary>
public sealed class PinFlowTests : IAsyncLifetime
{
    private const string Phone = "41793026727";

    private SqliteCore _core = null!;

    public async Task InitializeAsync() => _core = await SqliteCore.StartAsync();

    public async Task DisposeAsync() => await _core.DisposeAsync();

    private static ConfigurationInput Configuration(bool allowMultiple = true, int attempts = 3, string ttl = "15m",
        string perApplication = "10000/1d", string perPhone = "100/1d", string verify = "100/1d") =>
        new(allowMultiple, attempts, ttl, perApplication, perPhone, verify);

    private async Task<IReadOnlyList<VerificationEntry>> VerificationsAsync(string applicationId)
    {
        Result<IReadOnlyList<VerificationEntry>> list = await _core.Pins.VerificationsAsync(SqliteCore.Tenant, applicationId, Phone, null, null, CancellationToken.None);
        Assert.True(list.IsSuccess, list.Error?.Text);
        return list.Value;
    }

    [Fact]
    public async Task Verify_ThePinThatWasSent_Verifies()
    {
        var login = await _core.CreateLoginAsync(Configuration());
        string pinId = await _core.SentPinIdAsync(login, "+41 79 302 67 27");

        VerifyPinOutcome result = await _core.VerifiedAsync(pinId, await _core.ReadPinAsync(pinId));

        Assert.True(result.Verified);
        Assert.Equal(PinError.None, result.Error);
        Assert.Equal(Phone, result.Msisdn);
        Assert.Matches("^[0-9]{4}$", await _core.ReadPinAsync(pinId));
        VerificationEntry entry = Assert.Single(await VerificationsAsync(login.ApplicationId));
        Assert.Equal(_core.Time.GetUtcNow(), entry.VerifiedAt);
        Assert.True(entry.Sent);
    }

    [Fact]
    public async Task Verify_WrongPin_SpendsOneAttempt()
    {
        var login = await _core.CreateLoginAsync(Configuration(attempts: 3));
        string pinId = await _core.SentPinIdAsync(login, Phone);

        VerifyPinOutcome result = await _core.VerifiedAsync(pinId, WrongPin(await _core.ReadPinAsync(pinId)));

        Assert.False(result.Verified);
        Assert.Equal(PinError.WrongPin, result.Error);
        Assert.Equal(2, result.AttemptsRemaining);
    }

    [Fact]
    public async Task Verify_RightPinAfterTheLastAttemptWasSpent_ReturnsNoMorePinAttempts()
    {
        var login = await _core.CreateLoginAsync(Configuration(attempts: 2));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string pin = await _core.ReadPinAsync(pinId);

        VerifyPinOutcome first = await _core.VerifiedAsync(pinId, WrongPin(pin));
        VerifyPinOutcome last = await _core.VerifiedAsync(pinId, WrongPin(pin));
        VerifyPinOutcome right = await _core.VerifiedAsync(pinId, pin);

        Assert.Equal((PinError.WrongPin, 1), (first.Error, first.AttemptsRemaining));
        Assert.Equal((PinError.WrongPin, 0), (last.Error, last.AttemptsRemaining));
        Assert.False(right.Verified);
        Assert.Equal((PinError.NoMorePinAttempts, 0), (right.Error, right.AttemptsRemaining));
    }

    [Fact]
    public async Task Verify_SecondTimeWithSingleUse_ReturnsNoMorePinAttempts()
    {
        var login = await _core.CreateLoginAsync(Configuration(allowMultiple: false));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string pin = await _core.ReadPinAsync(pinId);

        VerifyPinOutcome first = await _core.VerifiedAsync(pinId, pin);
        VerifyPinOutcome second = await _core.VerifiedAsync(pinId, pin);

        Assert.True(first.Verified);
        Assert.False(second.Verified);
        Assert.Equal((PinError.NoMorePinAttempts, 0), (second.Error, second.AttemptsRemaining));
    }

    [Fact]
    public async Task Verify_SecondTimeWithMultipleVerificationsAllowed_VerifiesAgain()
    {
        var login = await _core.CreateLoginAsync(Configuration(allowMultiple: true));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string pin = await _core.ReadPinAsync(pinId);

        await _core.VerifyAsync(pinId, pin);
        VerifyPinOutcome second = await _core.VerifiedAsync(pinId, pin);

        Assert.True(second.Verified);
        Assert.Equal(PinError.None, second.Error);
    }

    [Fact]
    public async Task Verify_AfterTheTimeToLive_ReturnsTtlExpiredWithoutSpendingAnAttempt()
    {
        var login = await _core.CreateLoginAsync(Configuration(attempts: 3, ttl: "5m"));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string pin = await _core.ReadPinAsync(pinId);
        _core.Time.Advance(TimeSpan.FromMinutes(5));

        VerifyPinOutcome result = await _core.VerifiedAsync(pinId, pin);

        Assert.False(result.Verified);
        Assert.Equal((PinError.TtlExpired, 3), (result.Error, result.AttemptsRemaining));
    }

    [Fact]
    public async Task Verify_EmptyCandidateOrUnknownPin_AnswersFieldErrorAndNotFound()
    {
        var login = await _core.CreateLoginAsync(Configuration());
        string pinId = await _core.SentPinIdAsync(login, Phone);

        Result<VerifyPinOutcome> empty = await _core.VerifyAsync(pinId, "");
        Result<VerifyPinOutcome> unknown = await _core.VerifyAsync(Ids.New(), "1234");

        Assert.Equal(ErrorKind.BadRequest, empty.Error?.Kind);
        Assert.Contains("pin", empty.Error!.ValidationErrors!.Keys);
        Assert.Equal(ErrorKind.NotFound, unknown.Error?.Kind);
    }

    [Fact]
    public async Task Resend_ByVoice_KeepsThePinItsIdAndItsAttempts()
    {
        var login = await _core.CreateLoginAsync(Configuration(attempts: 3));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string pin = await _core.ReadPinAsync(pinId);
        await _core.VerifyAsync(pinId, WrongPin(pin));

        Result<SendPinOutcome> resent = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Voice, null, CancellationToken.None);
        VerifyPinOutcome wrong = await _core.VerifiedAsync(pinId, WrongPin(pin));
        VerifyPinOutcome right = await _core.VerifiedAsync(pinId, pin);

        Assert.True(resent.IsSuccess, resent.Error?.Text);
        Assert.Equal(pinId, resent.Value.PinId);
        Assert.True(resent.Value.Sent);
        Assert.Equal(pin, await _core.ReadPinAsync(pinId));
        Assert.Equal(1, wrong.AttemptsRemaining);
        Assert.True(right.Verified);
    }

    [Fact]
    public async Task Resend_AfterVerification_IsRefused()
    {
        var login = await _core.CreateLoginAsync(Configuration());
        string pinId = await _core.SentPinIdAsync(login, Phone);
        await _core.VerifyAsync(pinId, await _core.ReadPinAsync(pinId));

        Result<SendPinOutcome> result = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Sms, null, CancellationToken.None);

        Assert.Equal(ErrorKind.BadRequest, result.Error?.Kind);
        Assert.Contains("already verified", result.Error!.Text);
    }

    [Fact]
    public async Task Resend_AfterTheTimeToLive_IsRefused()
    {
        var login = await _core.CreateLoginAsync(Configuration(ttl: "5m"));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        _core.Time.Advance(TimeSpan.FromMinutes(6));

        Result<SendPinOutcome> result = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Sms, null, CancellationToken.None);

        Assert.Equal(ErrorKind.BadRequest, result.Error?.Kind);
        Assert.Contains("expired", result.Error!.Text);
    }

    [Fact]
    public async Task Resend_PhonePinByEmail_IsRefused()
    {
        var login = await _core.CreateLoginAsync(Configuration());
        string pinId = await _core.SentPinIdAsync(login, Phone);

        Result<SendPinOutcome> result = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Email, null, CancellationToken.None);

        Assert.Equal(ErrorKind.BadRequest, result.Error?.Kind);
        Assert.Contains("not by e-mail", result.Error!.Text);
    }

    [Fact]
    public async Task Resend_CountsAgainstTheSendLimitOfTheDestination()
    {
        var login = await _core.CreateLoginAsync(Configuration(perPhone: "2/1h"));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Sms, null, CancellationToken.None);

        Result<SendPinOutcome> result = await _core.Pins.ResendAsync(SqliteCore.Tenant, pinId, ChannelKind.Sms, null, CancellationToken.None);

        Assert.Equal(ErrorKind.TooManyRequests, result.Error?.Kind);
        Assert.NotNull(result.Error!.RetryAfter);
    }

    [Fact]
    public async Task Send_OverTheDestinationLimit_IsRefusedWithRetryAfterUntilASlotFrees()
    {
        var login = await _core.CreateLoginAsync(Configuration(perPhone: "1/10m"));
        await _core.SentPinIdAsync(login, Phone);
        _core.Time.Advance(TimeSpan.FromMinutes(4));

        Result<SendPinOutcome> refused = await _core.SendSmsAsync(login, Phone);
        _core.Time.Advance(refused.Error!.RetryAfter!.Value);
        Result<SendPinOutcome> later = await _core.SendSmsAsync(login, Phone);

        Assert.Equal(ErrorKind.TooManyRequests, refused.Error.Kind);
        Assert.Equal(TimeSpan.FromMinutes(6), refused.Error.RetryAfter);
        Assert.Contains("sendPinPerPhoneNumberLimit", refused.Error.Text);
        Assert.True(later.IsSuccess, later.Error?.Text);
        Assert.Equal(2, (await VerificationsAsync(login.ApplicationId)).Count);
    }

    [Fact]
    public async Task Verify_OverTheVerifyLimit_IsRefusedWithoutSpendingAnAttempt()
    {
        var login = await _core.CreateLoginAsync(Configuration(attempts: 3, verify: "1/1m"));
        string pinId = await _core.SentPinIdAsync(login, Phone);
        string wrong = WrongPin(await _core.ReadPinAsync(pinId));
        await _core.VerifyAsync(pinId, wrong);

        Result<VerifyPinOutcome> refused = await _core.VerifyAsync(pinId, wrong);
        _core.Time.Advance(TimeSpan.FromMinutes(1));
        VerifyPinOutcome later = await _core.VerifiedAsync(pinId, wrong);

        Assert.Equal(ErrorKind.TooManyRequests, refused.Error?.Kind);
        Assert.NotNull(refused.Error!.RetryAfter);
        Assert.Equal((PinError.WrongPin, 1), (later.Error, later.AttemptsRemaining));
    }

    [Fact]
    public async Task Send_NumberThatCannotExistWithNumberCheck_IssuesAPinWithoutSendingIt()
    {
        var login = await _core.CreateLoginAsync(Configuration());

        Result<SendPinOutcome> result = await _core.SendSmsAsync(login, "41000000000", numberCheck: true);

        Assert.True(result.IsSuccess, result.Error?.Text);
        Assert.False(result.Value.Sent);
        Assert.Equal(NumberCheck.NotReachable, result.Value.NumberCheck);
        PinRecord? pin = await _core.Store.Pins.GetPinAsync(SqliteCore.Tenant, result.Value.PinId, CancellationToken.None);
        Assert.False(pin!.Sent);
    }

    [Fact]
    public async Task Send_DisabledApplication_IsForbiddenAndStoresNothing()
    {
        var login = await _core.CreateLoginAsync(Configuration());
        await _core.Applications.ReplaceAsync(SqliteCore.Tenant, login.ApplicationId, new ApplicationInput("Login", false, Configuration()), CancellationToken.None);

        Result<SendPinOutcome> result = await _core.SendSmsAsync(login, Phone);

        Assert.Equal(ErrorKind.Forbidden, result.Error?.Kind);
        Assert.Equal(ErrorTexts.ApplicationDisabled, result.Error!.Text);
        Assert.Empty(await VerificationsAsync(login.ApplicationId));
    }

    /// <summary>A candidate of the same shape that differs from <paramref name="pin"/> in its first digit.</summary>
    private static string WrongPin(string pin) => (pin[0] == '0' ? '1' : '0') + pin[1..];
}
