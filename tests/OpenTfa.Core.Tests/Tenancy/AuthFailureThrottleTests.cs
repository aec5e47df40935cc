using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Tests.Tenancy;

public sealed class AuthFailureThrottleTests
{
    private const string Address = "203.0.113.7";

    // The start of a minute, so that the two-window estimate is easy to follow.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Blocked_UnknownClient_IsNotBlocked()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);

        Assert.Null(throttle.Blocked(Address, "k1"));
    }

    [Fact]
    public void Blocked_FewerFailuresThanTheLimit_IsNotBlocked()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure(Address, null);
        throttle.RecordFailure(Address, null);

        Assert.Null(throttle.Blocked(Address, null));
    }

    [Fact]
    public void Blocked_LimitReachedWithinAMinute_BlocksIntoTheNextMinute()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        _time.Advance(TimeSpan.FromSeconds(40));
        for (int i = 0; i < 3; i++)
        {
            throttle.RecordFailure(Address, null);
        }

        // 3 failures in this minute: 20 s left of it, and in the next one the estimate
        // 3 × (1 − elapsed) falls below 3 a millisecond in, so the wait is just over 20 s.
        Assert.Equal(TimeSpan.FromSeconds(21), throttle.Blocked(Address, null));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.NotNull(throttle.Blocked(Address, null));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.Blocked(Address, null));
    }

    [Fact]
    public void Blocked_WaitGiven_IsEnoughToBeFreed()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 5);
        for (int i = 0; i < 12; i++)
        {
            throttle.RecordFailure(Address, null);
            _time.Advance(TimeSpan.FromSeconds(3));
        }

        TimeSpan wait = throttle.Blocked(Address, null)!.Value;
        Assert.True(wait > TimeSpan.FromSeconds(1), wait.ToString());
        _time.Advance(wait - TimeSpan.FromSeconds(1));
        Assert.NotNull(throttle.Blocked(Address, null));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(throttle.Blocked(Address, null));
    }

    [Fact]
    public void Blocked_FailuresSpreadThinly_NeverBlock()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        for (int i = 0; i < 20; i++)
        {
            throttle.RecordFailure(Address, null);
            Assert.Null(throttle.Blocked(Address, null));
            _time.Advance(TimeSpan.FromSeconds(45));
        }
    }

    [Fact]
    public void Blocked_OtherAddress_IsCountedSeparately()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 2);
        throttle.RecordFailure(Address, null);
        throttle.RecordFailure(Address, null);

        Assert.NotNull(throttle.Blocked(Address, null));
        Assert.Null(throttle.Blocked("198.51.100.9", null));
    }

    [Fact]
    public void Blocked_GuessesAtOneKeyIdFromManyAddresses_BlockThatKeyIdEverywhere()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 5);
        for (int i = 0; i < 5; i++)
        {
            throttle.RecordFailure($"198.51.100.{i}", "0123456789abcdef");
        }

        Assert.NotNull(throttle.Blocked("198.51.100.200", "0123456789abcdef"));
        Assert.Null(throttle.Blocked("198.51.100.200", "fedcba9876543210"));
    }

    [Fact]
    public void Blocked_IPv6AddressesOfOneSlash64_CountAsOneClient()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        throttle.RecordFailure("2001:db8:1:2::1", null);
        throttle.RecordFailure("2001:db8:1:2:ffff::9", null);
        throttle.RecordFailure("2001:db8:1:2:abcd:1:2:3", null);

        Assert.NotNull(throttle.Blocked("2001:db8:1:2::77", null));
        Assert.Null(throttle.Blocked("2001:db8:1:3::1", null));
    }

    [Fact]
    public void Blocked_MillionsOfAddresses_NeverClearAnotherClientsCount()
    {
        var throttle = new AuthFailureThrottle(_time, maxFailuresPerMinute: 3);
        for (int i = 0; i < 3; i++)
        {
            throttle.RecordFailure(Address, null);
        }

        // Far more distinct /64s than the table has slots: memory stays bounded, and the guesser
        // that filled it stays blocked (a table that is emptied when full would forget it).
        for (int i = 0; i < 4 * AuthFailureThrottle.Slots; i++)
        {
            throttle.RecordFailure($"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::1", null);
        }

        Assert.NotNull(throttle.Blocked(Address, null));
    }

    [Fact]
    public void Constructor_LimitBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthFailureThrottle(_time, maxFailuresPerMinute: 0));
    }

    [Theory]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("203.0.113.7", "203.0.113.7")]
    public void ClientOf_MapsAddressesToTheUnitThatIsCounted(string address, string client)
    {
        Assert.Equal(client, AuthFailureThrottle.ClientOf(address));
    }
}
