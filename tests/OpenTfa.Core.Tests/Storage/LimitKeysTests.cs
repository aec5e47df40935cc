using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Tests.Storage;

public sealed class LimitKeysTests
{
    private static readonly RateLimit ThreePerTenSeconds = new(3, TimeSpan.FromSeconds(10));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void RetryAfter_FullWindow_WaitsUntilTheOldestLeavesIt()
    {
        DateTimeOffset start = _time.GetUtcNow();
        DateTimeOffset[] times = [start, start.AddSeconds(2), start.AddSeconds(4)];
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(5), LimitKeys.RetryAfter(ThreePerTenSeconds, times, _time.GetUtcNow()));
    }

    [Fact]
    public void RetryAfter_WholeSecondsAway_IsExactlyThoseSeconds()
    {
        DateTimeOffset start = _time.GetUtcNow();
        DateTimeOffset[] times = [start, start.AddSeconds(1), start.AddSeconds(2)];
        _time.Advance(TimeSpan.FromSeconds(7));

        Assert.Equal(TimeSpan.FromSeconds(3), LimitKeys.RetryAfter(ThreePerTenSeconds, times, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(200)]
    [InlineData(999)]
    public void RetryAfter_FractionOfASecondOver_RoundsUp(int extraMilliseconds)
    {
        DateTimeOffset start = _time.GetUtcNow();
        DateTimeOffset[] times = [start, start.AddSeconds(1), start.AddSeconds(2)];
        _time.Advance(TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(extraMilliseconds));

        Assert.Equal(TimeSpan.FromSeconds(5), LimitKeys.RetryAfter(ThreePerTenSeconds, times, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(9_700)]
    [InlineData(9_999)]
    [InlineData(10_000)]
    [InlineData(15_000)]
    public void RetryAfter_SlotFreesWithinASecondOrAlreadyFree_IsOneSecond(int elapsedMilliseconds)
    {
        DateTimeOffset start = _time.GetUtcNow();
        DateTimeOffset[] times = [start, start.AddSeconds(1), start.AddSeconds(2)];
        _time.Advance(TimeSpan.FromMilliseconds(elapsedMilliseconds));

        Assert.Equal(TimeSpan.FromSeconds(1), LimitKeys.RetryAfter(ThreePerTenSeconds, times, _time.GetUtcNow()));
    }

    [Fact]
    public void RetryAfter_MoreTimesThanTheLimit_UsesTheOneThatMustExpireForASlotToFree()
    {
        // Five accepted operations are in the window of a limit now lowered to two: one more
        // fits only once four of them have left, so the fourth oldest (index 5 - 2) decides.
        var limit = new RateLimit(2, TimeSpan.FromSeconds(10));
        DateTimeOffset start = _time.GetUtcNow();
        DateTimeOffset[] times = [start, start.AddSeconds(1), start.AddSeconds(3), start.AddSeconds(6), start.AddSeconds(8)];
        _time.Advance(TimeSpan.FromSeconds(9));

        Assert.Equal(TimeSpan.FromSeconds(7), LimitKeys.RetryAfter(limit, times, _time.GetUtcNow()));
    }

    [Fact]
    public void RetryAfter_OneDayWindow_CountsInWholeSeconds()
    {
        var limit = new RateLimit(1, TimeSpan.FromDays(1));
        DateTimeOffset[] times = [_time.GetUtcNow()];
        _time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMilliseconds(1));

        Assert.Equal(TimeSpan.FromSeconds(3600), LimitKeys.RetryAfter(limit, times, _time.GetUtcNow()));
    }

    [Fact]
    public void Keys_SeparateApplicationsDestinationsAndOperations()
    {
        var limit = new RateLimit(3, TimeSpan.FromDays(1));
        LimitCheck perApplication = LimitKeys.SendPerApplication("APP", limit, "3/1d");
        LimitCheck perDestination = LimitKeys.SendPerDestination("APP", "41793026727", limit, "3/1d");
        LimitCheck verify = LimitKeys.VerifyPerDestination("APP", "41793026727", limit, "3/1d");

        Assert.Equal("send:APP", perApplication.Key);
        Assert.Equal("send:APP:41793026727", perDestination.Key);
        Assert.Equal("verify:APP:41793026727", verify.Key);
        Assert.Equal("sendPinPerApplicationLimit", perApplication.Setting);
        Assert.Equal("sendPinPerPhoneNumberLimit", perDestination.Setting);
        Assert.Equal("verifyPinLimit", verify.Setting);
        Assert.Equal("3/1d", verify.Text);
    }
}
