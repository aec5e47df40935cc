using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

// These tests drive the store itself from many tasks at once: an operation that read, compared
// and wrote in separate steps would let some of them through twice.
public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task Verify_200ConcurrentWrongPins_TakeExactlyTheFiveAttempts()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 5));

        VerifyResult[] results = await RunConcurrentlyAsync(200, i => Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddMilliseconds(i)), Ct));

        VerifyDecision[] decisions = results.Select(r => Assert.IsType<VerifyResult.Decided>(r).Decision).ToArray();
        Assert.Equal(5, decisions.Count(d => d.Error == PinError.WrongPin));
        Assert.Equal(195, decisions.Count(d => d.Error == PinError.NoMorePinAttempts));
        Assert.Equal([0, 1, 2, 3, 4], decisions.Where(d => d.Error == PinError.WrongPin).Select(d => d.AttemptsRemaining).Order());
        Assert.Equal(0, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.AttemptsRemaining);
        PinStoryFacts story = (await Analytics.GetPinStoryAsync("tenant-a", pin.Id, Ct))!;
        IReadOnlyList<VerifyAttempt> log = VerifyLog.Parse(story.VerifyLog);
        Assert.Equal(5, log.Count(a => a.Outcome == "WRONG_PIN"));
        Assert.Equal(log.Count - 5, log.Count(a => a.Outcome == "NO_MORE_PIN_ATTEMPTS"));
        Assert.InRange(story.VerifyLog!.Length, 5 * 16, VerifyLog.MaxLength + 16);
    }

    [Fact]
    public async Task Verify_50ConcurrentRightPinsSingleUse_VerifyExactlyOnce()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 5));

        VerifyResult[] results = await RunConcurrentlyAsync(50, i => Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddMilliseconds(i), allowMultiple: false), Ct));

        VerifyDecision[] decisions = results.Select(r => Assert.IsType<VerifyResult.Decided>(r).Decision).ToArray();
        Assert.Single(decisions, d => d.Verified);
        Assert.Equal(49, decisions.Count(d => d.Error == PinError.NoMorePinAttempts));
        Assert.True((await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.Consumed);
    }

    [Fact]
    public async Task IssuePin_100Concurrent_UnderThreePerDay_AcceptExactlyThree()
    {
        string application = NewId();
        const string destination = "41793026727";
        LimitCheck[] limits = [SendPerApplication(application, "10000/1d"), SendPerDestination(application, destination, "3/1d")];

        LimitRefusal?[] results = await RunConcurrentlyAsync(100, _ =>
        {
            PinRecord pin = NewPin("tenant-a", application, destination, T0);
            return Pins.IssuePinAsync(pin, NewMessage(pin, T0), limits, T0, Ct);
        });

        Assert.Equal(3, results.Count(r => r is null));
        Assert.All(results.Where(r => r is not null), r =>
        {
            Assert.Equal("sendPinPerPhoneNumberLimit", r!.Check.Setting);
            Assert.Equal(TimeSpan.FromDays(1), r.RetryAfter);
        });
        Assert.Equal(3, (await Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", application, destination, null, null), Ct)).Count);
        Assert.Equal(3, (await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 1000, Ct)).Count);
    }

    [Fact]
    public async Task Verify_100Concurrent_UnderTenPerDay_DecideExactlyTenAndTakeOnlyTheirAttempts()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 1000));

        VerifyResult[] results = await RunConcurrentlyAsync(100, i => Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddMilliseconds(i), limit: "10/1d"), Ct));

        Assert.Equal(10, results.Count(r => r is VerifyResult.Decided { Decision.Error: PinError.WrongPin }));
        Assert.Equal(90, results.Count(r => r is VerifyResult.Limited));
        Assert.Equal(990, (await Pins.GetPinAsync("tenant-a", pin.Id, Ct))!.AttemptsRemaining);
    }

    [Fact]
    public async Task Resend_50Concurrent_UnderFivePerDay_ResendExactlyFour()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId()));
        LimitCheck fivePerDay = SendPerDestination(pin.ApplicationId, pin.Destination, "5/1d");

        ResendResult[] results = await RunConcurrentlyAsync(50, i => Pins.ResendPinAsync(Resend(pin, T0.AddMilliseconds(i + 1), fivePerDay), Ct));

        Assert.Equal(4, results.Count(r => r is ResendResult.Resent));
        Assert.Equal(46, results.Count(r => r is ResendResult.Limited));
        Assert.Equal(5, (await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct)).Count);
    }

    [Fact]
    public async Task ClaimDue_FiveConcurrentClaimers_ClaimEachMessageExactlyOnce()
    {
        for (int i = 0; i < 40; i++)
        {
            await IssueAsync(NewPin("tenant-a", NewId(), createdAt: T0.AddMilliseconds(i)));
        }

        List<string>[] claimed = await RunConcurrentlyAsync(5, async claimer =>
        {
            var mine = new List<string>();
            while (true)
            {
                IReadOnlyList<OutboxMessage> batch = await Outbox.ClaimDueAsync($"node-{claimer}", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 3, Ct);
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch.Select(m => m.Id));
            }
        });

        string[] all = claimed.SelectMany(c => c).ToArray();
        Assert.Equal(40, all.Length);
        Assert.Equal(40, all.Distinct().Count());
    }
}
