using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

// NIST SP 800-63B mode caps consecutive failed verifications per destination; the count is
// kept in the verify's own atomic step, across every PIN sent to that destination.
public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task Verify_AtTheFailureCap_IsLockedOutWithoutTouchingThePin_UntilCleared()
    {
        string application = NewId();
        (PinRecord first, _) = await IssueAsync(NewPin("tenant-a", application, attempts: 2));
        (PinRecord second, _) = await IssueAsync(NewPin("tenant-a", application, attempts: 10));

        await Pins.VerifyPinAsync(Verify(first, "0000", T0, failureCap: 3), Ct);
        await Pins.VerifyPinAsync(Verify(first, "0000", T0.AddSeconds(1), failureCap: 3), Ct);
        VerifyResult third = await Pins.VerifyPinAsync(Verify(second, "0000", T0.AddSeconds(2), failureCap: 3), Ct);
        VerifyResult locked = await Pins.VerifyPinAsync(Verify(second, "1234", T0.AddSeconds(3), failureCap: 3), Ct);

        Assert.Equal(PinError.WrongPin, Assert.IsType<VerifyResult.Decided>(third).Decision.Error);
        Assert.Equal(3, Assert.IsType<VerifyResult.LockedOut>(locked).Failures);
        PinRecord untouched = (await Pins.GetPinAsync("tenant-a", second.Id, Ct))!;
        Assert.Equal(9, untouched.AttemptsRemaining);
        Assert.Null(untouched.VerifiedAt);
        Assert.Equal(3, await Protection.GetVerifyFailuresAsync(application, second.Destination, Ct));
        VerifyFailures listed = Assert.Single(await Protection.ListVerifyFailuresAsync("tenant-a", application, 3, Ct));
        Assert.Equal((second.Destination, 3, T0.AddSeconds(2)), (listed.Destination, listed.Failures, listed.LastFailureAt));
        Assert.Empty(await Protection.ListVerifyFailuresAsync("tenant-b", application, 1, Ct));

        Assert.False(await Protection.ClearVerifyFailuresAsync("tenant-b", application, second.Destination, Ct));
        Assert.True(await Protection.ClearVerifyFailuresAsync("tenant-a", application, second.Destination, Ct));
        Assert.True(Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(second, "1234", T0.AddSeconds(4), failureCap: 3), Ct)).Decision.Verified);
        Assert.False(await Protection.ClearVerifyFailuresAsync("tenant-a", application, second.Destination, Ct));
    }

    [Fact]
    public async Task Verify_WithAFailureCap_ASuccessStartsTheCountAgain_AndWithoutOneNothingIsCounted()
    {
        string application = NewId();
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", application, attempts: 10));

        await Pins.VerifyPinAsync(Verify(pin, "0000", T0), Ct);
        Assert.Equal(0, await Protection.GetVerifyFailuresAsync(application, pin.Destination, Ct));
        await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(1), failureCap: 100), Ct);
        await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(2), failureCap: 100), Ct);
        Assert.Equal(2, await Protection.GetVerifyFailuresAsync(application, pin.Destination, Ct));
        await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(3), failureCap: 100), Ct);

        Assert.Equal(0, await Protection.GetVerifyFailuresAsync(application, pin.Destination, Ct));
        Assert.Empty(await Protection.ListVerifyFailuresAsync("tenant-a", application, 1, Ct));
    }

    [Fact]
    public async Task Verify_100ConcurrentWrongPinsOverFivePins_CountExactlyTheCapOfTen()
    {
        string application = NewId();
        var pins = new List<PinRecord>();
        for (int i = 0; i < 5; i++)
        {
            pins.Add((await IssueAsync(NewPin("tenant-a", application, attempts: 5))).Pin);
        }

        VerifyResult[] results = await RunConcurrentlyAsync(100, i => Pins.VerifyPinAsync(Verify(pins[i % 5], "0000", T0.AddMilliseconds(i), failureCap: 10), Ct));

        Assert.Equal(10, results.Count(r => r is VerifyResult.Decided { Decision.Error: PinError.WrongPin }));
        Assert.Equal(90, results.Count(r => r is VerifyResult.LockedOut or VerifyResult.Decided { Decision.Error: PinError.NoMorePinAttempts }));
        Assert.Equal(10, await Protection.GetVerifyFailuresAsync(application, pins[0].Destination, Ct));
    }
}
