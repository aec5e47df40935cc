namespace OpenTfa.Storage.Postgres.Tests;

public sealed class KeyedTurnsTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Take_OneKey_LetsOneHolderAtATime_InTheOrderTheyCame()
    {
        var turns = new KeyedTurns();
        IDisposable first = await turns.TakeAsync("pin-1", Ct);
        ValueTask<IDisposable> second = turns.TakeAsync("pin-1", Ct);
        ValueTask<IDisposable> third = turns.TakeAsync("pin-1", Ct);

        Assert.False(second.IsCompleted);
        first.Dispose();
        (await second).Dispose();
        (await third).Dispose();
        Assert.Equal(0, turns.Count);
    }

    [Fact]
    public async Task Take_OtherKeys_DoNotWait()
    {
        var turns = new KeyedTurns();
        using IDisposable held = await turns.TakeAsync("pin-1", Ct);

        ValueTask<IDisposable> other = turns.TakeAsync("pin-2", Ct);

        Assert.True(other.IsCompleted);
        (await other).Dispose();
        Assert.Equal(1, turns.Count);
    }

    [Fact]
    public async Task Take_CanceledWhileWaiting_Throws_AndLeavesNothingBehind()
    {
        var turns = new KeyedTurns();
        IDisposable held = await turns.TakeAsync("pin-1", Ct);
        using var cancel = new CancellationTokenSource();

        ValueTask<IDisposable> waiting = turns.TakeAsync("pin-1", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        held.Dispose();
        Assert.Equal(0, turns.Count);
        (await turns.TakeAsync("pin-1", Ct)).Dispose();
    }

    [Fact]
    public async Task Take_100Racers_NeverTwoInside_AndAllGetTheirTurn()
    {
        var turns = new KeyedTurns();
        int inside = 0, most = 0, done = 0;

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            using IDisposable turn = await turns.TakeAsync("pin-1", Ct);
            int now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref done);
        })));

        Assert.Equal(1, most);
        Assert.Equal(100, done);
        Assert.Equal(0, turns.Count);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
