using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Twilio;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Storage.Compliance;

// The store steps of the Twilio Verify surface: a verification is the pending PIN of a
// destination, started again by sending it anew, and closed by a cancel or an approval.
public abstract partial class StoreComplianceTests
{
    private const string Phone = "41793026727";

    /// <summary>
    /// A start as the service builds it: a fresh PIN (with its message) to issue when none is
    /// pending, and a new message for <paramref name="pending"/>, the PIN the caller read as pending.
    /// </summary>
    protected static StartVerificationOperation Start(string applicationId, PinRecord? pending, DateTimeOffset now, int maxSends = 5, params LimitCheck[] limits)
    {
        PinRecord fresh = NewPin("tenant-a", applicationId, Phone, now);
        return new StartVerificationOperation("tenant-a", applicationId, Phone, new NewPin(fresh, NewMessage(fresh, now)), pending?.Id,
            pending is null ? null : NewMessage(pending, now), limits.Length == 0 ? SendLimits(fresh) : limits, maxSends, now);
    }

    protected static TwilioRateLimit NewRateLimit(string applicationId, string uniqueName, DateTimeOffset? at = null, string tenantId = "tenant-a") =>
        new(NewId(), tenantId, applicationId, null, uniqueName, "Per user", 0, 0, at ?? T0, at ?? T0);

    protected static TwilioRateLimit NewBucket(TwilioRateLimit rateLimit, int max, int intervalSeconds, DateTimeOffset? at = null) =>
        new(NewId(), rateLimit.TenantId, rateLimit.ApplicationId, rateLimit.Id, null, null, max, intervalSeconds, at ?? T0, at ?? T0);

    private async Task<int> CountPinsAsync(string applicationId) =>
        (await Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", applicationId, Phone, null, null), Ct)).Count;

    [Fact]
    public async Task FindPendingPin_IgnoresEndedPins_AndReturnsTheNewestPending()
    {
        string application = NewId();
        (PinRecord older, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0, ttl: TimeSpan.FromMinutes(30)));
        (PinRecord newest, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddMinutes(1)));
        (PinRecord verified, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddMinutes(2)));
        await Pins.VerifyPinAsync(Verify(verified, "1234", T0.AddMinutes(2)), Ct);
        (PinRecord canceled, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddMinutes(3)));
        await Pins.ClosePinAsync("tenant-a", canceled.Id, PinClosure.Canceled, T0.AddMinutes(3), Ct);
        await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddMinutes(4), ttl: TimeSpan.FromMinutes(1)));
        (PinRecord spent, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddMinutes(5), attempts: 1));
        await Pins.VerifyPinAsync(Verify(spent, "0000", T0.AddMinutes(5)), Ct);
        (PinRecord foreign, _) = await IssueAsync(NewPin("tenant-b", application, Phone, T0.AddMinutes(6)));
        await IssueAsync(NewPin("tenant-a", application, "41790000000", T0.AddMinutes(6)));
        await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0.AddMinutes(6)));

        AssertSamePin(newest, await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0.AddMinutes(10), Ct));
        AssertSamePin(foreign, await Pins.FindPendingPinAsync("tenant-b", application, Phone, T0.AddMinutes(10), Ct));
        AssertSamePin(older, await Pins.FindPendingPinAsync("tenant-a", application, Phone, newest.ExpiresAt, Ct));
        Assert.Null(await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0.AddHours(1), Ct));
        Assert.Null(await Pins.FindPendingPinAsync("tenant-c", application, Phone, T0.AddMinutes(10), Ct));
    }

    [Fact]
    public async Task StartVerification_NonePending_IssuesTheFreshPinWithItsMessage()
    {
        StartVerificationOperation start = Start(NewId(), null, T0);

        StartVerificationResult result = await Pins.StartVerificationAsync(start, Ct);

        Assert.IsType<StartVerificationResult.Issued>(result);
        AssertSamePin(start.Fresh.Pin, await Pins.GetPinAsync("tenant-a", start.Fresh.Pin.Id, Ct));
        AssertSamePin(start.Fresh.Pin, await Pins.FindPendingPinAsync("tenant-a", start.ApplicationId, Phone, T0, Ct));
        MessageStatus message = Assert.Single(await Outbox.ListMessagesAsync("tenant-a", start.Fresh.Pin.Id, Ct));
        Assert.Equal(start.Fresh.Message!.Id, message.Id);
    }

    [Fact]
    public async Task StartVerification_ThePendingPin_SendsItAgainAndCountsItsSends()
    {
        string application = NewId();
        StartVerificationOperation first = Start(application, null, T0);
        Assert.IsType<StartVerificationResult.Issued>(await Pins.StartVerificationAsync(first, Ct));
        PinRecord pending = first.Fresh.Pin;
        StartVerificationOperation again = Start(application, pending, T0.AddMinutes(1));

        StartVerificationResult result = await Pins.StartVerificationAsync(again, Ct);

        Assert.Equal(new StartVerificationResult.Reused(2), result);
        IReadOnlyList<MessageStatus> messages = await Outbox.ListMessagesAsync("tenant-a", pending.Id, Ct);
        Assert.Equal([first.Fresh.Message!.Id, again.Reuse!.Id], messages.Select(m => m.Id));
        Assert.Null(await Pins.GetPinAsync("tenant-a", again.Fresh.Pin.Id, Ct));
        Assert.Equal(1, await CountPinsAsync(application));
        Assert.Equal(pending.Id, (await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0.AddMinutes(1), Ct))?.Id);
    }

    [Fact]
    public async Task StartVerification_OfAnUnsentPendingPin_MarksItSent()
    {
        (PinRecord pending, _) = await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0, sent: false), withMessage: false);

        StartVerificationResult result = await Pins.StartVerificationAsync(Start(pending.ApplicationId, pending, T0.AddSeconds(1)), Ct);

        Assert.Equal(new StartVerificationResult.Reused(1), result);
        Assert.True((await Pins.GetPinAsync("tenant-a", pending.Id, Ct))!.Sent);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pending.Id, Ct));
    }

    [Fact]
    public async Task StartVerification_WithAStaleViewOfThePendingPin_AnswersRacedAndChangesNothing()
    {
        string application = NewId();
        (PinRecord first, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0));
        LimitCheck fourPerDay = SendPerDestination(application, Phone, "4/1d");

        // The caller saw none pending, but one is.
        StartVerificationOperation none = Start(application, null, T0.AddSeconds(1), limits: fourPerDay);
        Assert.IsType<StartVerificationResult.Raced>(await Pins.StartVerificationAsync(none, Ct));
        Assert.Null(await Pins.GetPinAsync("tenant-a", none.Fresh.Pin.Id, Ct));

        // The caller saw a PIN pending that a newer one has replaced.
        (PinRecord second, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0.AddSeconds(2)));
        Assert.IsType<StartVerificationResult.Raced>(await Pins.StartVerificationAsync(Start(application, first, T0.AddSeconds(3), limits: fourPerDay), Ct));

        // The caller saw a PIN pending that has ended since.
        await Pins.ClosePinAsync("tenant-a", second.Id, PinClosure.Canceled, T0.AddSeconds(4), Ct);
        await Pins.ClosePinAsync("tenant-a", first.Id, PinClosure.Canceled, T0.AddSeconds(4), Ct);
        Assert.IsType<StartVerificationResult.Raced>(await Pins.StartVerificationAsync(Start(application, second, T0.AddSeconds(5), limits: fourPerDay), Ct));

        Assert.Equal(2, await CountPinsAsync(application));
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", first.Id, Ct));
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", second.Id, Ct));

        // Nothing was counted against the limit: the two sends above left room for exactly two starts.
        Assert.IsType<StartVerificationResult.Issued>(await Pins.StartVerificationAsync(Start(application, null, T0.AddSeconds(6), limits: fourPerDay), Ct));
        PinRecord third = (await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0.AddSeconds(6), Ct))!;
        Assert.Equal(new StartVerificationResult.Reused(2), await Pins.StartVerificationAsync(Start(application, third, T0.AddSeconds(7), limits: fourPerDay), Ct));
    }

    [Fact]
    public async Task StartVerification_AtMaxSends_AnswersMaxSendsReachedAndQueuesNothing()
    {
        (PinRecord pending, _) = await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0));

        StartVerificationResult second = await Pins.StartVerificationAsync(Start(pending.ApplicationId, pending, T0.AddSeconds(1), maxSends: 2), Ct);
        StartVerificationResult third = await Pins.StartVerificationAsync(Start(pending.ApplicationId, pending, T0.AddSeconds(2), maxSends: 2), Ct);

        Assert.Equal(new StartVerificationResult.Reused(2), second);
        Assert.IsType<StartVerificationResult.MaxSendsReached>(third);
        Assert.Equal(2, (await Outbox.ListMessagesAsync("tenant-a", pending.Id, Ct)).Count);
    }

    [Fact]
    public async Task StartVerification_OverALimit_AnswersLimitedAndStoresNothing()
    {
        string application = NewId();
        LimitCheck onePerHour = SendPerDestination(application, Phone, "1/1h");
        StartVerificationOperation first = Start(application, null, T0, limits: onePerHour);
        Assert.IsType<StartVerificationResult.Issued>(await Pins.StartVerificationAsync(first, Ct));

        StartVerificationResult reuse = await Pins.StartVerificationAsync(Start(application, first.Fresh.Pin, T0.AddMinutes(10), limits: onePerHour), Ct);
        await Pins.ClosePinAsync("tenant-a", first.Fresh.Pin.Id, PinClosure.Canceled, T0.AddMinutes(11), Ct);
        StartVerificationOperation fresh = Start(application, null, T0.AddMinutes(20), limits: onePerHour);
        StartVerificationResult issue = await Pins.StartVerificationAsync(fresh, Ct);

        var limited = Assert.IsType<StartVerificationResult.Limited>(reuse);
        Assert.Equal("sendPinPerPhoneNumberLimit", limited.Refusal.Check.Setting);
        Assert.Equal(TimeSpan.FromMinutes(50), limited.Refusal.RetryAfter);
        Assert.Equal(TimeSpan.FromMinutes(40), Assert.IsType<StartVerificationResult.Limited>(issue).Refusal.RetryAfter);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", first.Fresh.Pin.Id, Ct));
        Assert.Null(await Pins.GetPinAsync("tenant-a", fresh.Fresh.Pin.Id, Ct));
        Assert.Empty(await Outbox.ListMessagesAsync("tenant-a", fresh.Fresh.Pin.Id, Ct));
        Assert.Null(await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0.AddMinutes(20), Ct));
    }

    [Fact]
    public async Task ClosePin_Cancel_EndsThePin()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0));

        CloseResult result = await Pins.ClosePinAsync("tenant-a", pin.Id, PinClosure.Canceled, T0.AddMinutes(1), Ct);

        PinRecord canceled = pin with { CanceledAt = T0.AddMinutes(1), Consumed = true };
        AssertSamePin(canceled, Assert.IsType<CloseResult.Closed>(result).Pin);
        AssertSamePin(canceled, await Pins.GetPinAsync("tenant-a", pin.Id, Ct));
        Assert.Null(await Pins.FindPendingPinAsync("tenant-a", pin.ApplicationId, Phone, T0.AddMinutes(1), Ct));
        VerifyDecision decision = Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddMinutes(2)), Ct)).Decision;
        Assert.False(decision.Verified);
        Assert.Equal(PinError.NoMorePinAttempts, decision.Error);
        Assert.Equal(PinError.NoMorePinAttempts, Assert.IsType<ResendResult.Refused>(await Pins.ResendPinAsync(Resend(pin, T0.AddMinutes(2)), Ct)).Reason);
        AssertSamePin(canceled, Assert.IsType<CloseResult.NotPending>(
            await Pins.ClosePinAsync("tenant-a", pin.Id, PinClosure.Approved, T0.AddMinutes(3), Ct)).Pin);
    }

    [Fact]
    public async Task ClosePin_Approve_VerifiesAndEndsThePin()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0));

        CloseResult result = await Pins.ClosePinAsync("tenant-a", pin.Id, PinClosure.Approved, T0.AddMinutes(1), Ct);

        PinRecord approved = pin with { VerifiedAt = T0.AddMinutes(1), Consumed = true };
        AssertSamePin(approved, Assert.IsType<CloseResult.Closed>(result).Pin);
        AssertSamePin(approved, await Pins.GetPinAsync("tenant-a", pin.Id, Ct));
        Assert.Null(await Pins.FindPendingPinAsync("tenant-a", pin.ApplicationId, Phone, T0.AddMinutes(1), Ct));
        Assert.Equal([new VerificationEntry(Phone, true, T0, T0.AddMinutes(1))],
            await Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", pin.ApplicationId, Phone, true, null), Ct));
        Assert.IsType<CloseResult.NotPending>(await Pins.ClosePinAsync("tenant-a", pin.Id, PinClosure.Canceled, T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task ClosePin_OfAnEndedPin_AnswersNotPendingAndChangesNothing()
    {
        string application = NewId();
        (PinRecord expired, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0, ttl: TimeSpan.FromMinutes(5)));
        (PinRecord spent, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0, attempts: 1));
        await Pins.VerifyPinAsync(Verify(spent, "0000", T0.AddSeconds(1)), Ct);
        (PinRecord verified, _) = await IssueAsync(NewPin("tenant-a", application, Phone, T0));
        await Pins.VerifyPinAsync(Verify(verified, "1234", T0.AddSeconds(1)), Ct);

        foreach (PinRecord pin in (PinRecord[])[expired, spent, verified])
        {
            PinRecord before = (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!;
            CloseResult result = await Pins.ClosePinAsync("tenant-a", pin.Id, PinClosure.Canceled, T0.AddMinutes(5), Ct);
            AssertSamePin(before, Assert.IsType<CloseResult.NotPending>(result).Pin);
            AssertSamePin(before, await Pins.GetPinAsync("tenant-a", pin.Id, Ct));
        }
    }

    [Fact]
    public async Task ClosePin_UnknownOrForeignPin_AnswersNotFound()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), Phone, T0));

        Assert.IsType<CloseResult.NotFound>(await Pins.ClosePinAsync("tenant-b", pin.Id, PinClosure.Canceled, T0.AddSeconds(1), Ct));
        Assert.IsType<CloseResult.NotFound>(await Pins.ClosePinAsync("tenant-a", NewId(), PinClosure.Approved, T0.AddSeconds(1), Ct));
        AssertSamePin(pin, await Pins.FindPendingPinAsync("tenant-a", pin.ApplicationId, Phone, T0.AddSeconds(1), Ct));
    }

    [Fact]
    public async Task DeleteApplication_RemovesItsTemplatesWebhooksAndTwilioState_Once()
    {
        Application application = await CreateApplicationAsync("tenant-a");
        Application other = await CreateApplicationAsync("tenant-a", name: "Other");
        MessageTemplate text = NewTextTemplate("tenant-a", application.Id);
        MessageTemplate email = NewEmailTemplate("tenant-a", application.Id);
        MessageTemplate kept = NewTextTemplate("tenant-a", other.Id);
        foreach (MessageTemplate template in (MessageTemplate[])[text, email, kept])
        {
            await Applications.CreateTemplateAsync(template, Ct);
        }

        TwilioRateLimit rateLimit = NewRateLimit(application.Id, "per-user");
        await Twilio.SaveServiceSettingsAsync("tenant-a", application.Id, """{"codeLength":8}""", T0, Ct);
        await Twilio.CreateRateLimitAsync(rateLimit, Ct);
        await Twilio.CreateRateLimitAsync(NewBucket(rateLimit, 5, 60), Ct);
        await Twilio.SaveServiceSettingsAsync("tenant-a", other.Id, """{"codeLength":4}""", T0, Ct);
        TwilioRateLimit otherLimit = NewRateLimit(other.Id, "per-user");
        await Twilio.CreateRateLimitAsync(otherLimit, Ct);
        Webhook hook = NewWebhook("tenant-a", application.Id);
        Webhook otherHook = NewWebhook("tenant-a", other.Id);
        await Webhooks.CreateWebhookAsync(hook, Ct);
        await Webhooks.CreateWebhookAsync(otherHook, Ct);

        Assert.False(await Applications.DeleteApplicationAsync("tenant-b", application.Id, Ct));
        Assert.Equal(application, await Applications.GetApplicationAsync("tenant-a", application.Id, Ct));

        Assert.True(await Applications.DeleteApplicationAsync("tenant-a", application.Id, Ct));
        Assert.False(await Applications.DeleteApplicationAsync("tenant-a", application.Id, Ct));

        Assert.Null(await Applications.GetApplicationAsync("tenant-a", application.Id, Ct));
        Assert.Null(await Applications.GetTemplateAsync("tenant-a", application.Id, text.Id, Ct));
        Assert.Null(await Applications.GetTemplateAsync("tenant-a", application.Id, email.Id, Ct));
        Assert.Empty(await Applications.ListTemplatesAsync("tenant-a", application.Id, Ct));
        Assert.Null(await Twilio.GetServiceSettingsAsync("tenant-a", application.Id, Ct));
        Assert.Empty(await Twilio.ListRateLimitsAsync("tenant-a", application.Id, Ct));
        Assert.Equal([other], await Applications.ListApplicationsAsync("tenant-a", Ct));
        Assert.Equal(kept, await Applications.GetTemplateAsync("tenant-a", other.Id, kept.Id, Ct));
        Assert.Equal("""{"codeLength":4}""", await Twilio.GetServiceSettingsAsync("tenant-a", other.Id, Ct));
        Assert.Equal([otherLimit], await Twilio.ListRateLimitsAsync("tenant-a", other.Id, Ct));
        Assert.Null(await Webhooks.GetWebhookAsync("tenant-a", hook.Id, Ct));
        Assert.NotNull(await Webhooks.GetWebhookAsync("tenant-a", otherHook.Id, Ct));
    }

    [Fact]
    public async Task TwilioServiceSettings_RoundTripAndAreReplaced()
    {
        string application = NewId();
        Assert.Null(await Twilio.GetServiceSettingsAsync("tenant-a", application, Ct));

        await Twilio.SaveServiceSettingsAsync("tenant-a", application, """{"codeLength":8}""", T0, Ct);
        Assert.Equal("""{"codeLength":8}""", await Twilio.GetServiceSettingsAsync("tenant-a", application, Ct));

        await Twilio.SaveServiceSettingsAsync("tenant-a", application, """{"codeLength":5,"lookupEnabled":true}""", T0.AddMinutes(1), Ct);
        Assert.Equal("""{"codeLength":5,"lookupEnabled":true}""", await Twilio.GetServiceSettingsAsync("tenant-a", application, Ct));
        Assert.Null(await Twilio.GetServiceSettingsAsync("tenant-b", application, Ct));
        Assert.Null(await Twilio.GetServiceSettingsAsync("tenant-a", NewId(), Ct));
    }

    [Fact]
    public async Task TwilioRateLimits_AreListedWithTheirBucketsOldestFirst_AndNamesAreUniquePerService()
    {
        string application = NewId();
        TwilioRateLimit perUser = NewRateLimit(application, "per-user", T0);
        TwilioRateLimit perHour = NewBucket(perUser, 10, 3600, T0.AddSeconds(1));
        TwilioRateLimit perMinute = NewBucket(perUser, 2, 60, T0.AddSeconds(2));
        TwilioRateLimit perIp = NewRateLimit(application, "per-ip", T0.AddSeconds(3)) with { Description = null };

        foreach (TwilioRateLimit created in (TwilioRateLimit[])[perUser, perHour, perMinute, perIp])
        {
            Assert.True(await Twilio.CreateRateLimitAsync(created, Ct));
        }

        TwilioRateLimit clash = NewRateLimit(application, "per-user", T0.AddSeconds(4)) with { Description = "Again" };
        Assert.False(await Twilio.CreateRateLimitAsync(clash, Ct));
        Assert.False(await Twilio.CreateRateLimitAsync(perIp with { UniqueName = "per-device" }, Ct));
        Assert.True(await Twilio.CreateRateLimitAsync(NewRateLimit(NewId(), "per-user"), Ct));

        IReadOnlyList<TwilioRateLimit> listed = await Twilio.ListRateLimitsAsync("tenant-a", application, Ct);
        Assert.Equal([perUser, perHour, perMinute, perIp], listed);
        Assert.Equal<string?>([null, perUser.Id, perUser.Id, null], listed.Select(r => r.ParentId));
        Assert.Empty(await Twilio.ListRateLimitsAsync("tenant-b", application, Ct));
    }

    [Fact]
    public async Task TwilioRateLimits_Update_ReplacesDescriptionOrMaxAndInterval()
    {
        string application = NewId();
        TwilioRateLimit rateLimit = NewRateLimit(application, "per-user", T0);
        TwilioRateLimit bucket = NewBucket(rateLimit, 5, 60, T0.AddSeconds(1));
        await Twilio.CreateRateLimitAsync(rateLimit, Ct);
        await Twilio.CreateRateLimitAsync(bucket, Ct);
        TwilioRateLimit described = rateLimit with { Description = "Per customer", UpdatedAt = T0.AddMinutes(1) };
        TwilioRateLimit widened = bucket with { Max = 8, IntervalSeconds = 120, UpdatedAt = T0.AddMinutes(2) };

        Assert.True(await Twilio.UpdateRateLimitAsync(described, Ct));
        Assert.True(await Twilio.UpdateRateLimitAsync(widened, Ct));
        Assert.False(await Twilio.UpdateRateLimitAsync(described with { Id = NewId() }, Ct));
        Assert.False(await Twilio.UpdateRateLimitAsync(described with { TenantId = "tenant-b", Description = "Hijacked" }, Ct));
        Assert.False(await Twilio.UpdateRateLimitAsync(described with { ApplicationId = NewId(), Description = "Elsewhere" }, Ct));

        Assert.Equal([described, widened], await Twilio.ListRateLimitsAsync("tenant-a", application, Ct));
    }

    [Fact]
    public async Task TwilioRateLimits_Delete_TakesARateLimitWithItsBucketsOrOneBucket()
    {
        string application = NewId();
        TwilioRateLimit first = NewRateLimit(application, "per-user", T0);
        TwilioRateLimit firstBucket = NewBucket(first, 5, 60, T0.AddSeconds(1));
        TwilioRateLimit second = NewRateLimit(application, "per-ip", T0.AddSeconds(2));
        TwilioRateLimit secondHour = NewBucket(second, 10, 3600, T0.AddSeconds(3));
        TwilioRateLimit secondMinute = NewBucket(second, 2, 60, T0.AddSeconds(4));
        foreach (TwilioRateLimit created in (TwilioRateLimit[])[first, firstBucket, second, secondHour, secondMinute])
        {
            await Twilio.CreateRateLimitAsync(created, Ct);
        }

        Assert.False(await Twilio.DeleteRateLimitAsync("tenant-b", application, second.Id, Ct));
        Assert.True(await Twilio.DeleteRateLimitAsync("tenant-a", application, second.Id, Ct));
        Assert.False(await Twilio.DeleteRateLimitAsync("tenant-a", application, second.Id, Ct));
        Assert.False(await Twilio.DeleteRateLimitAsync("tenant-a", application, secondHour.Id, Ct));
        Assert.Equal([first, firstBucket], await Twilio.ListRateLimitsAsync("tenant-a", application, Ct));

        Assert.True(await Twilio.DeleteRateLimitAsync("tenant-a", application, firstBucket.Id, Ct));
        Assert.Equal([first], await Twilio.ListRateLimitsAsync("tenant-a", application, Ct));

        // The name of a deleted rate limit is free again.
        Assert.True(await Twilio.CreateRateLimitAsync(NewRateLimit(application, "per-ip", T0.AddSeconds(5)), Ct));
    }

    /// <summary>One caller's start, as the service runs it: read the pending PIN, start, and read again and retry on a race.</summary>
    private async Task<StartVerificationResult> StartUntilDecidedAsync(string applicationId, DateTimeOffset now, int maxSends)
    {
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            PinRecord? pending = await Pins.FindPendingPinAsync("tenant-a", applicationId, Phone, now, Ct);
            StartVerificationResult result = await Pins.StartVerificationAsync(Start(applicationId, pending, now, maxSends), Ct);
            if (result is not StartVerificationResult.Raced)
            {
                return result;
            }
        }

        throw new InvalidOperationException("A start raced a thousand times.");
    }

    [Fact]
    public async Task StartVerification_16ConcurrentForOneDestination_IssueOnePinAndSendItSixteenTimes()
    {
        string application = NewId();

        StartVerificationResult[] results = await RunConcurrentlyAsync(16, _ => StartUntilDecidedAsync(application, T0, maxSends: 1000));

        Assert.Single(results, r => r is StartVerificationResult.Issued);
        Assert.Equal(Enumerable.Range(2, 15), results.OfType<StartVerificationResult.Reused>().Select(r => r.Sends).Order());
        PinRecord pending = (await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0, Ct))!;
        Assert.Equal(1, await CountPinsAsync(application));
        Assert.Equal(16, (await Outbox.ListMessagesAsync("tenant-a", pending.Id, Ct)).Count);
        Assert.Equal(16, (await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 1000, Ct)).Count);
    }

    [Fact]
    public async Task StartVerification_16ConcurrentUnderFiveSends_SendExactlyFive()
    {
        string application = NewId();

        StartVerificationResult[] results = await RunConcurrentlyAsync(16, _ => StartUntilDecidedAsync(application, T0, maxSends: 5));

        Assert.Single(results, r => r is StartVerificationResult.Issued);
        Assert.Equal([2, 3, 4, 5], results.OfType<StartVerificationResult.Reused>().Select(r => r.Sends).Order());
        Assert.Equal(11, results.Count(r => r is StartVerificationResult.MaxSendsReached));
        PinRecord pending = (await Pins.FindPendingPinAsync("tenant-a", application, Phone, T0, Ct))!;
        Assert.Equal(1, await CountPinsAsync(application));
        Assert.Equal(5, (await Outbox.ListMessagesAsync("tenant-a", pending.Id, Ct)).Count);
    }
}
