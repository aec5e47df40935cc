namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// A token bucket holding one second's worth of submits, refilled continuously, plus a pause
/// that an SMSC's throttling answer sets for every sender at once.
/// </summary>
internal sealed class SmppRateLimiter
{
    private readonly TimeProvider time;
    private readonly double ratePerSecond;
    private readonly double capacity;
    private readonly Lock gate = new();
    private double tokens;
    private long lastRefill;
    private long pausedUntil;

    public SmppRateLimiter(int messagesPerSecond, TimeProvider time)
    {
        this.time = time;
        ratePerSecond = messagesPerSecond;
        capacity = Math.Max(1, messagesPerSecond);
        tokens = capacity;
        lastRefill = time.GetTimestamp();
        pausedUntil = lastRefill;
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetTimestamp();
                if (now < pausedUntil)
                {
                    wait = time.GetElapsedTime(now, pausedUntil);
                }
                else if (ratePerSecond <= 0)
                {
                    return;
                }
                else
                {
                    tokens = Math.Min(capacity, tokens + (time.GetElapsedTime(lastRefill, now).TotalSeconds * ratePerSecond));
                    lastRefill = now;
                    if (tokens >= 1)
                    {
                        tokens -= 1;
                        return;
                    }

                    wait = TimeSpan.FromSeconds((1 - tokens) / ratePerSecond);
                }
            }

            await Task.Delay(Max(wait, TimeSpan.FromMilliseconds(1)), time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds every sender back for at least <paramref name="duration"/> from now.</summary>
    public void Pause(TimeSpan duration)
    {
        lock (gate)
        {
            var until = time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
            pausedUntil = Math.Max(pausedUntil, until);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
