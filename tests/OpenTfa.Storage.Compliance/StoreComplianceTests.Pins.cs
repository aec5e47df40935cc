using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task IssuePin_ThenGet_ReturnsEveryField()
    {
        PinRecord pin = NewPin("tenant-a", NewId(), "ada@example.com", kind: ChannelKind.Email, value: "A1B2C3");

        await IssueAsync(pin);

        PinRecord? stored = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        AssertSamePin(pin, stored);
        Assert.True(Protector.Matches(pin.Id, stored!.Pin, "a1b2c3"));
    }

    [Fact]
    public async Task GetPin_OfAnotherTenantOrUnknown_ReturnsNull()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));

        Assert.Null(await Pins.GetPinAsync("tenant-b", pin.Id, Ct));
        Assert.Null(await Pins.GetPinAsync("tenant-a", NewId(), Ct));
    }

    [Fact]
    public async Task IssuePin_WithAMessage_QueuesItForTheTenantOnly()
    {
        (PinRecord pin, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));

        MessageStatus status = Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        Assert.Equal(new MessageStatus(message!.Id, pin.Id, "tenant-a", ChannelKind.Sms, pin.Destination, MessageState.Queued, 0,
            T0, T0, null, null, null, null), status);
        Assert.Equal(status, await Outbox.GetMessageAsync("tenant-a", message.Id, Ct));
        Assert.Empty(await Outbox.ListMessagesAsync("tenant-b", pin.Id, Ct));
        Assert.Null(await Outbox.GetMessageAsync("tenant-b", message.Id, Ct));
    }

    [Fact]
    public async Task IssuePin_WithoutAMessage_QueuesNothing()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), sent: false), withMessage: false);

        Assert.Empty(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        Assert.Empty(await Outbox.ClaimDueAsync("node-1", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 10, Ct));
        Assert.False((await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Sent);
    }

    [Fact]
    public async Task IssuePin_SlidingWindow_AdmitsTheLimitThenRefusesUntilTheOldestSendLeavesTheWindow()
    {
        string application = NewId();
        var clock = new FakeTimeProvider(T0);
        async Task<LimitRefusal?> SendAsync()
        {
            DateTimeOffset now = clock.GetUtcNow();
            PinRecord pin = NewPin("tenant-a", application, createdAt: now);
            return await Pins.IssuePinAsync(pin, NewMessage(pin, now),
                [SendPerApplication(application, "100/1d"), SendPerDestination(application, pin.Destination, "3/1h")], now, Ct);
        }

        Assert.Null(await SendAsync());
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await SendAsync());
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await SendAsync());

        clock.Advance(TimeSpan.FromMinutes(10));
        LimitRefusal? refused = await SendAsync();
        Assert.NotNull(refused);
        Assert.Equal($"send:{application}:41793026727", refused.Check.Key);
        Assert.Equal("sendPinPerPhoneNumberLimit", refused.Check.Setting);
        Assert.Equal(TimeSpan.FromMinutes(30), refused.RetryAfter);

        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TimeSpan.FromSeconds(1800), (await SendAsync())?.RetryAfter);

        clock.SetUtcNow(T0.AddHours(1).AddSeconds(-1));
        Assert.Equal(TimeSpan.FromSeconds(1), (await SendAsync())?.RetryAfter);
        clock.SetUtcNow(T0.AddHours(1).AddMilliseconds(-200));
        Assert.Equal(TimeSpan.FromSeconds(1), (await SendAsync())?.RetryAfter);

        // The first send (T0) is out of the window (T0, T0+1h]; the next frees at T0+10m+1h.
        clock.SetUtcNow(T0.AddHours(1));
        Assert.Null(await SendAsync());
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.FromMinutes(5), (await SendAsync())?.RetryAfter);

        Assert.Equal(4, (await Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", application, "41793026727", null, null), Ct)).Count);
    }

    [Fact]
    public async Task IssuePin_RefusedByOneLimit_StoresNothingAndCountsAgainstNoLimit()
    {
        string application = NewId();
        async Task<(PinRecord Pin, LimitRefusal? Refusal)> SendAsync(string destination, DateTimeOffset now)
        {
            PinRecord pin = NewPin("tenant-a", application, destination, now);
            LimitRefusal? refusal = await Pins.IssuePinAsync(pin, NewMessage(pin, now),
                [SendPerApplication(application, "2/1h"), SendPerDestination(application, destination, "1/1h")], now, Ct);
            return (pin, refusal);
        }

        Assert.Null((await SendAsync("41790000001", T0)).Refusal);
        (PinRecord refusedPin, LimitRefusal? byDestination) = await SendAsync("41790000001", T0.AddSeconds(1));
        Assert.Null((await SendAsync("41790000002", T0.AddSeconds(2))).Refusal);
        LimitRefusal? byApplication = (await SendAsync("41790000003", T0.AddSeconds(3))).Refusal;

        Assert.Equal("sendPinPerPhoneNumberLimit", byDestination?.Check.Setting);
        Assert.Equal("sendPinPerApplicationLimit", byApplication?.Check.Setting);
        Assert.Equal($"send:{application}", byApplication?.Check.Key);
        Assert.Equal(TimeSpan.FromSeconds(3597), byApplication?.RetryAfter);
        Assert.Null(await Pins.GetPinAsync("tenant-a", refusedPin.Id, Ct));
        Assert.Empty(await Outbox.ListMessagesAsync("tenant-a", refusedPin.Id, Ct));
        Assert.Single(await Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", application, "41790000001", null, null), Ct));
    }

    [Fact]
    public async Task Verify_WrongPin_TakesOneAttempt()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 3));

        VerifyResult result = await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(5)), Ct);

        var decided = Assert.IsType<VerifyResult.Decided>(result);
        Assert.False(decided.Decision.Verified);
        Assert.Equal(PinError.WrongPin, decided.Decision.Error);
        Assert.Equal(2, decided.Decision.AttemptsRemaining);
        Assert.Equal(2, decided.Pin.AttemptsRemaining);
        Assert.Equal(2, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.AttemptsRemaining);
    }

    [Fact]
    public async Task Verify_RightPin_VerifiesAndKeepsTheFirstVerificationTime()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 3));

        VerifyResult first = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(5)), Ct);
        VerifyResult second = await Pins.VerifyPinAsync(Verify(pin, " 1234 ", T0.AddSeconds(9)), Ct);

        var one = Assert.IsType<VerifyResult.Decided>(first);
        var two = Assert.IsType<VerifyResult.Decided>(second);
        Assert.True(one.Decision.Verified);
        Assert.Equal(PinError.None, one.Decision.Error);
        Assert.True(two.Decision.Verified);
        Assert.Equal(3, two.Decision.AttemptsRemaining);
        Assert.Equal(T0.AddSeconds(5), two.Pin.VerifiedAt);
        PinRecord stored = (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!;
        Assert.Equal(T0.AddSeconds(5), stored.VerifiedAt);
        Assert.False(stored.Consumed);
    }

    [Fact]
    public async Task Verify_RightPinSingleUse_ConsumesThePin()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 3));

        VerifyResult first = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(5), allowMultiple: false), Ct);
        VerifyResult second = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(6), allowMultiple: false), Ct);

        Assert.True(Assert.IsType<VerifyResult.Decided>(first).Decision.Verified);
        var again = Assert.IsType<VerifyResult.Decided>(second);
        Assert.False(again.Decision.Verified);
        Assert.Equal(PinError.NoMorePinAttempts, again.Decision.Error);
        Assert.Equal(0, again.Decision.AttemptsRemaining);
        PinRecord stored = (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!;
        Assert.True(stored.Consumed);
        Assert.Equal(T0.AddSeconds(5), stored.VerifiedAt);
    }

    [Fact]
    public async Task Verify_AfterExpiry_ReturnsTtlExpiredAndTakesNoAttempt()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), ttl: TimeSpan.FromMinutes(5), attempts: 3));

        VerifyResult result = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddMinutes(5)), Ct);

        var decided = Assert.IsType<VerifyResult.Decided>(result);
        Assert.False(decided.Decision.Verified);
        Assert.Equal(PinError.TtlExpired, decided.Decision.Error);
        Assert.Equal(3, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.AttemptsRemaining);
    }

    [Fact]
    public async Task Verify_AfterTheLastAttempt_ReturnsNoMorePinAttemptsEvenForTheRightPin()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 2));

        await Pins.VerifyPinAsync(Verify(pin, "9999", T0.AddSeconds(1)), Ct);
        VerifyResult last = await Pins.VerifyPinAsync(Verify(pin, "9999", T0.AddSeconds(2)), Ct);
        VerifyResult after = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(3)), Ct);

        var lastDecision = Assert.IsType<VerifyResult.Decided>(last).Decision;
        Assert.Equal(PinError.WrongPin, lastDecision.Error);
        Assert.Equal(0, lastDecision.AttemptsRemaining);
        var afterDecision = Assert.IsType<VerifyResult.Decided>(after).Decision;
        Assert.False(afterDecision.Verified);
        Assert.Equal(PinError.NoMorePinAttempts, afterDecision.Error);
        Assert.Null((await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.VerifiedAt);
    }

    [Fact]
    public async Task Verify_UnknownOrForeignPin_ReturnsNotFoundAndCountsNothing()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));

        VerifyResult foreign = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(1), limit: "1/1h") with { TenantId = "tenant-b" }, Ct);
        VerifyResult unknown = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(2), limit: "1/1h") with { PinId = NewId() }, Ct);
        VerifyResult own = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(3), limit: "1/1h"), Ct);

        Assert.IsType<VerifyResult.NotFound>(foreign);
        Assert.IsType<VerifyResult.NotFound>(unknown);
        Assert.True(Assert.IsType<VerifyResult.Decided>(own).Decision.Verified);
    }

    [Fact]
    public async Task Verify_OverTheLimit_IsRefusedWithoutTakingAnAttempt()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), ttl: TimeSpan.FromHours(2), attempts: 10));

        VerifyResult first = await Pins.VerifyPinAsync(Verify(pin, "0000", T0, limit: "2/1h"), Ct);
        VerifyResult second = await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(1), limit: "2/1h"), Ct);
        VerifyResult third = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(2), limit: "2/1h"), Ct);
        VerifyResult later = await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddHours(1), limit: "2/1h"), Ct);

        Assert.IsType<VerifyResult.Decided>(first);
        Assert.IsType<VerifyResult.Decided>(second);
        var limited = Assert.IsType<VerifyResult.Limited>(third);
        Assert.Equal("verifyPinLimit", limited.Refusal.Check.Setting);
        Assert.Equal(TimeSpan.FromSeconds(3598), limited.Refusal.RetryAfter);
        var decided = Assert.IsType<VerifyResult.Decided>(later);
        Assert.True(decided.Decision.Verified);
        Assert.Equal(8, decided.Decision.AttemptsRemaining);
    }

    [Fact]
    public async Task Resend_LivePin_QueuesANewMessageAndCountsAsASend()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));
        LimitCheck twoPerDay = SendPerDestination(pin.ApplicationId, pin.Destination, "2/1d");

        ResendResult resent = await Pins.ResendPinAsync(Resend(pin, T0.AddMinutes(1), twoPerDay), Ct);
        ResendResult limited = await Pins.ResendPinAsync(Resend(pin, T0.AddMinutes(2), twoPerDay), Ct);

        Assert.IsType<ResendResult.Resent>(resent);
        Assert.Equal(TimeSpan.FromSeconds(86280), Assert.IsType<ResendResult.Limited>(limited).Refusal.RetryAfter);
        IReadOnlyList<MessageStatus> messages = await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct);
        Assert.Equal(2, messages.Count);
        Assert.Equal(T0.AddMinutes(1), messages[1].CreatedAt);
        Assert.Equal(MessageState.Queued, messages[1].State);
        Assert.Equal(pin.AttemptsRemaining, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.AttemptsRemaining);
    }

    [Fact]
    public async Task Resend_VerifiedPin_IsRefusedAndWritesNothing()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(1)), Ct);
        LimitCheck twoPerDay = SendPerDestination(pin.ApplicationId, pin.Destination, "2/1d");

        ResendResult result = await Pins.ResendPinAsync(Resend(pin, T0.AddSeconds(2), twoPerDay), Ct);

        Assert.Equal(PinError.NoMorePinAttempts, Assert.IsType<ResendResult.Refused>(result).Reason);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        PinRecord next = NewPin("tenant-a", pin.ApplicationId);
        Assert.Null(await Pins.IssuePinAsync(next, null, [twoPerDay], T0.AddSeconds(3), Ct));
    }

    [Fact]
    public async Task Resend_OfAPinThatWasNeverSent_MarksItSent()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), sent: false), withMessage: false);

        Assert.IsType<ResendResult.Resent>(await Pins.ResendPinAsync(Resend(pin, T0.AddMinutes(1)), Ct));

        Assert.True((await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Sent);
    }

    [Fact]
    public async Task Resend_ExpiredPin_IsRefusedWithTtlExpired()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), ttl: TimeSpan.FromMinutes(5)));

        ResendResult result = await Pins.ResendPinAsync(Resend(pin, T0.AddMinutes(5)), Ct);

        Assert.Equal(PinError.TtlExpired, Assert.IsType<ResendResult.Refused>(result).Reason);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
    }

    [Fact]
    public async Task Resend_PinOutOfAttempts_IsRefused()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 1));
        await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(1)), Ct);

        ResendResult result = await Pins.ResendPinAsync(Resend(pin, T0.AddSeconds(2)), Ct);

        Assert.Equal(PinError.NoMorePinAttempts, Assert.IsType<ResendResult.Refused>(result).Reason);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
    }

    [Fact]
    public async Task Resend_UnknownOrForeignPin_ReturnsNotFound()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));

        Assert.IsType<ResendResult.NotFound>(await Pins.ResendPinAsync(Resend(pin with { TenantId = "tenant-b" }, T0.AddSeconds(1)), Ct));
        Assert.IsType<ResendResult.NotFound>(await Pins.ResendPinAsync(Resend(pin with { Id = NewId() }, T0.AddSeconds(1)), Ct));
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
    }

    [Fact]
    public async Task ListVerifications_ReturnsThePinsOfOneDestinationNewestFirst_Filtered()
    {
        string application = NewId();
        const string destination = "41793026727";
        (PinRecord verified, _) = await IssueAsync(NewPin("tenant-a", application, destination, T0));
        await Pins.VerifyPinAsync(Verify(verified, "1234", T0.AddSeconds(30)), Ct);
        await IssueAsync(NewPin("tenant-a", application, destination, T0.AddMinutes(1), sent: false), withMessage: false);
        await IssueAsync(NewPin("tenant-a", application, destination, T0.AddMinutes(2)));
        await IssueAsync(NewPin("tenant-a", application, "41790000000", T0.AddMinutes(3)));
        await IssueAsync(NewPin("tenant-a", NewId(), destination, T0.AddMinutes(3)));
        await IssueAsync(NewPin("tenant-b", application, destination, T0.AddMinutes(3)));
        var entryVerified = new VerificationEntry(destination, true, T0, T0.AddSeconds(30));
        var entryNotSent = new VerificationEntry(destination, false, T0.AddMinutes(1), null);
        var entryPending = new VerificationEntry(destination, true, T0.AddMinutes(2), null);

        Task<IReadOnlyList<VerificationEntry>> ListAsync(bool? isVerified, bool? sent) =>
            Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", application, destination, isVerified, sent), Ct);

        Assert.Equal([entryPending, entryNotSent, entryVerified], await ListAsync(null, null));
        Assert.Equal([entryVerified], await ListAsync(true, null));
        Assert.Equal([entryPending, entryNotSent], await ListAsync(false, null));
        Assert.Equal([entryNotSent], await ListAsync(null, false));
        Assert.Equal([entryPending, entryVerified], await ListAsync(null, true));
        Assert.Equal([entryPending], await ListAsync(false, true));
        Assert.Empty(await Pins.ListVerificationsAsync(new VerificationQuery("tenant-c", application, destination, null, null), Ct));
    }
}
