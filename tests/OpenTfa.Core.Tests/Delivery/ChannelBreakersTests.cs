using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;

namespace OpenTfa.Core.Tests.Delivery;

public sealed class ChannelBreakersTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Circuit_OpensOnceAtTheThreshold_ProbesAfterThePeriod_AndClosesOnAnAnswer()
    {
        var breakers = new ChannelBreakers(_time, threshold: 2, openFor: TimeSpan.FromSeconds(30));

        Assert.False(breakers.Failed("gw"));
        Assert.Equal((CircuitState.Closed, 1), breakers.Circuit("gw"));
        Assert.True(breakers.Failed("gw"));
        Assert.False(breakers.Failed("gw"));
        Assert.Equal((CircuitState.Open, 3), breakers.Circuit("gw"));
        Assert.False(breakers.TryEnter("gw"));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.HalfOpen, breakers.Circuit("gw").State);
        Assert.True(breakers.TryEnter("gw"));
        Assert.False(breakers.TryEnter("gw"));
        Assert.True(breakers.Failed("gw"));
        Assert.Equal(CircuitState.Open, breakers.Circuit("gw").State);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breakers.TryEnter("gw"));
        Assert.True(breakers.Succeeded("gw"));
        Assert.Equal((CircuitState.Closed, 0), breakers.Circuit("gw"));
        Assert.False(breakers.Succeeded("gw"));
        Assert.Equal((CircuitState.Closed, 0), breakers.Circuit("other"));
    }

    [Fact]
    public void Activity_CountsEachAttemptByOutcome_KeepsTheLastFailure_AndCountsReceipts()
    {
        using var metrics = new OpenTfaMetrics();
        var activity = new ChannelActivity(_time, metrics);

        activity.Attempted("gw", ChannelKind.Sms, "M1", DeliveryResult.Accepted("c1"));
        activity.Attempted("gw", ChannelKind.Sms, "M2", DeliveryResult.Temporary("timeout"));
        _time.Advance(TimeSpan.FromSeconds(1));
        activity.Attempted("gw", ChannelKind.Sms, "M3", DeliveryResult.Permanent("barred"));
        activity.Attempted("gw", ChannelKind.Sms, "M4", DeliveryResult.Accepted("c4"));
        activity.Reported("gw", MessageState.Delivered);
        activity.Reported("gw", MessageState.Failed);

        Assert.Equal(new ChannelCounters(Submitted: 2, Failed: 1, Retried: 1, Delivered: 1, Undelivered: 1), activity.Counters("gw"));
        Assert.Equal(new ChannelError(_time.GetUtcNow(), "barred", null, "M3"), activity.LastError("GW"));
        Assert.Equal(new ChannelCounters(0, 0, 0, 0, 0), activity.Counters("idle"));
        Assert.Null(activity.LastError("idle"));
    }
}
