using System.Collections.Concurrent;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// One circuit breaker per channel: after <c>threshold</c> temporary failures in a row a
/// channel is skipped for <c>openFor</c>; then a single message probes it, and its success
/// closes the breaker again (its failure opens it for another period).
/// </summary>
public sealed class ChannelBreakers(TimeProvider time, int threshold, TimeSpan openFor)
{
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when a message may be handed to the channel now (closed, or this caller is the probe).</summary>
    public bool TryEnter(string channel) => Get(channel).TryEnter(time.GetUtcNow(), openFor);

    public void Succeeded(string channel) => Get(channel).Succeeded();

    public void Failed(string channel) => Get(channel).Failed(time.GetUtcNow(), threshold);

    /// <summary>Whether the breaker is open now (for health details).</summary>
    public bool IsOpen(string channel) => _breakers.TryGetValue(channel, out Breaker? b) && b.IsOpen(time.GetUtcNow(), openFor);

    private Breaker Get(string channel) => _breakers.GetOrAdd(channel, _ => new Breaker());

    private sealed class Breaker
    {
        private readonly Lock _gate = new();
        private int _failures;
        private DateTimeOffset? _openedAt;
        private bool _probing;

        public bool TryEnter(DateTimeOffset now, TimeSpan openFor)
        {
            lock (_gate)
            {
                if (_openedAt is null)
                {
                    return true;
                }

                if (now - _openedAt < openFor || _probing)
                {
                    return false;
                }

                _probing = true;
                return true;
            }
        }

        public void Succeeded()
        {
            lock (_gate)
            {
                _failures = 0;
                _openedAt = null;
                _probing = false;
            }
        }

        public void Failed(DateTimeOffset now, int threshold)
        {
            lock (_gate)
            {
                _failures++;
                if (_probing || _failures >= threshold)
                {
                    _openedAt = now;
                }

                _probing = false;
            }
        }

        public bool IsOpen(DateTimeOffset now, TimeSpan openFor)
        {
            lock (_gate)
            {
                return _openedAt is { } opened && now - opened < openFor;
            }
        }
    }
}
