using System.Diagnostics;

namespace OpenTfa.Testing;

/// <summary>
/// The one way tests wait for something that happens in the background: a condition checked at a
/// short interval until it holds, bounded by a deadline whose expiry names what was awaited.
/// </summary>
public static class Poll
{
    /// <summary>The pause between two checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    /// <summary>Waits until <paramref name="condition"/> holds; after <paramref name="timeout"/> throws a
    /// <see cref="TimeoutException"/> whose message is <paramref name="describe"/>'s answer.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        await UntilAsync(condition, done => done, timeout, _ => describe());
    }

    /// <inheritdoc cref="UntilAsync(Func{Task{bool}}, TimeSpan, Func{string})"/>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        return UntilAsync(() => Task.FromResult(condition()), timeout, describe);
    }

    /// <summary>Reads <paramref name="probe"/> until its value satisfies <paramref name="done"/> and returns that
    /// value; after <paramref name="timeout"/> throws a <see cref="TimeoutException"/> whose message is
    /// <paramref name="describe"/>'s answer for the last value read.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            T value = await probe();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds:0.###} s: {describe(value)}");
            }

            await Task.Delay(Interval);
        }
    }
}
