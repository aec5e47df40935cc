using Microsoft.Extensions.Time.Testing;

namespace OpenTfa.Delivery.Smpp.Tests;

public class SmppRateLimiterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AcquireAsync_BurstOfOneSecond_ThenWaitsForRefill()
    {
        var time = new FakeTimeProvider();
        var limiter = new SmppRateLimiter(2, time);

        await limiter.AcquireAsync(CancellationToken.None);
        await limiter.AcquireAsync(CancellationToken.None);
        var third = limiter.AcquireAsync(CancellationToken.None).AsTask();

        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await third.WaitAsync(Bound);
        Assert.True(third.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AcquireAsync_NoCap_NeverWaits()
    {
        var limiter = new SmppRateLimiter(0, new FakeTimeProvider());

        var acquisitions = Enumerable.Range(0, 1000).Select(_ => limiter.AcquireAsync(CancellationToken.None).AsTask()).ToList();

        Assert.All(acquisitions, a => Assert.True(a.IsCompletedSuccessfully));
        await Task.WhenAll(acquisitions);
    }

    [Fact]
    public async Task Pause_HoldsEverySenderUntilItEnds()
    {
        var time = new FakeTimeProvider();
        var limiter = new SmppRateLimiter(0, time);

        limiter.Pause(TimeSpan.FromSeconds(2));
        var waiting = limiter.AcquireAsync(CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(Bound);
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AcquireAsync_Cancelled_Throws()
    {
        var time = new FakeTimeProvider();
        var limiter = new SmppRateLimiter(1, time);
        await limiter.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();

        var waiting = limiter.AcquireAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
