using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Tests.Tenancy;

public sealed class AuthFailureThrottleTests
{
    private const string Address = "203.0.113.7";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Blocked_UnknownAddress_IsNotBlocked()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);

        Assert.Null(throttle.Blocked(Address));
    }

    [Fact]
    public void Blocked_FewerFailuresThanTheLimit_IsNotBlocked()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure(Address);
        throttle.RecordFailure(Address);

        Assert.Null(throttle.Blocked(Address));
    }

    [Fact]
    public void Blocked_LimitReachedWithinAMinute_BlocksUntilTheOldestAgesOut()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure(Address);
        _time.Advance(TimeSpan.FromSeconds(10));
        throttle.RecordFailure(Address);
        _time.Advance(TimeSpan.FromSeconds(10));
        throttle.RecordFailure(Address);

        Assert.Equal(TimeSpan.FromSeconds(40), throttle.Blocked(Address));
    }

    [Fact]
    public void Blocked_WindowSlidesPastTheOldestFailure_FreesTheAddress()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure(Address);
        _time.Advance(TimeSpan.FromSeconds(30));
        throttle.RecordFailure(Address);
        throttle.RecordFailure(Address);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(TimeSpan.FromSeconds(1), throttle.Blocked(Address));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.Blocked(Address));
    }

    [Fact]
    public void Blocked_NewFailureAfterBeingFreed_BlocksAgainUntilTheNextOldestAgesOut()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure(Address);
        _time.Advance(TimeSpan.FromSeconds(30));
        throttle.RecordFailure(Address);
        throttle.RecordFailure(Address);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Null(throttle.Blocked(Address));

        throttle.RecordFailure(Address);

        Assert.Equal(TimeSpan.FromSeconds(29), throttle.Blocked(Address));
    }

    [Fact]
    public void Blocked_FailuresSpreadOverMoreThanAMinute_NeverBlock()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        for (int i = 0; i < 10; i++)
        {
            throttle.RecordFailure(Address);
            Assert.Null(throttle.Blocked(Address));
            _time.Advance(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public void Blocked_OtherAddress_IsCountedSeparately()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 2);
        throttle.RecordFailure(Address);
        throttle.RecordFailure(Address);

        Assert.NotNull(throttle.Blocked(Address));
        Assert.Null(throttle.Blocked("2001:db8::1"));
    }

    [Fact]
    public void Blocked_DefaultLimit_IsThirtyPerMinute()
    {
        var throttle = new AuthFailureThrottle(_time);
        for (int i = 0; i < 29; i++)
        {
            throttle.RecordFailure(Address);
        }

        Assert.Null(throttle.Blocked(Address));
        throttle.RecordFailure(Address);
        Assert.Equal(TimeSpan.FromMinutes(1), throttle.Blocked(Address));
    }
}
