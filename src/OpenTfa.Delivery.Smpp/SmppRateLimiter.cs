namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// A token bucket holding one second's worth of submits, refilled continuously, plus a pause
/// that an SMSC's throttling answer sets for every sender at once.
/// </summary>
internal sealed class SmppRateLimiter
{
    private readonly TimeProvider _time;
    private readonly double _ratePerSecond;
    private readonly double _capacity;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _lastRefill;
    private long _pausedUntil;

    public SmppRateLimiter(int messagesPerSecond, TimeProvider time)
    {
        _time = time;
        _ratePerSecond = messagesPerSecond;
        _capacity = Math.Max(1, messagesPerSecond);
        _tokens = _capacity;
        _lastRefill = time.GetTimestamp();
        _pausedUntil = _lastRefill;
    }

    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                if (now < _pausedUntil)
                {
                    wait = _time.GetElapsedTime(now, _pausedUntil);
                }
                else if (_ratePerSecond <= 0)
                {
                    return;
                }
                else
                {
                    _tokens = Math.Min(_capacity, _tokens + (_time.GetElapsedTime(_lastRefill, now).TotalSeconds * _ratePerSecond));
                    _lastRefill = now;
                    if (_tokens >= 1)
                    {
                        _tokens -= 1;
                        return;
                    }

                    wait = TimeSpan.FromSeconds((1 - _tokens) / _ratePerSecond);
                }
            }

            await Task.Delay(Max(wait, TimeSpan.FromMilliseconds(1)), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds every sender back for at least <paramref name="duration"/> from now.</summary>
    public void Pause(TimeSpan duration)
    {
        lock (_gate)
        {
            var until = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
            _pausedUntil = Math.Max(_pausedUntil, until);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
