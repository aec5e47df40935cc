using System.Collections.Concurrent;

namespace OpenTfa.Core.Tenancy;

/// <summary>
/// Slows down key guessing: a client address with too many failed authentications in a
/// sliding minute is refused before its key is even looked at.
/// </summary>
public sealed class AuthFailureThrottle(TimeProvider time, int maxFailuresPerMinute = 30)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>Seconds until the address may try again, or null when it may now.</summary>
    public TimeSpan? Blocked(string address)
    {
        if (!_failures.TryGetValue(address, out Queue<DateTimeOffset>? times))
        {
            return null;
        }

        DateTimeOffset now = time.GetUtcNow();
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() >= Window)
            {
                times.Dequeue();
            }

            return times.Count >= maxFailuresPerMinute ? Window - (now - times.ElementAt(times.Count - maxFailuresPerMinute)) : null;
        }
    }

    public void RecordFailure(string address)
    {
        Queue<DateTimeOffset> times = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            times.Enqueue(time.GetUtcNow());
            if (times.Count > maxFailuresPerMinute * 2)
            {
                times.Dequeue();
            }
        }

        if (_failures.Count > 100_000)
        {
            _failures.Clear();
        }
    }
}
