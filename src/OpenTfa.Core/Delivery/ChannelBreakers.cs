using System.Collections.Concurrent;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// One circuit breaker per channel: after <c>threshold</c> temporary failures of the channel in
/// a row (a failure about one recipient does not count) it is skipped for <c>openFor</c>; then
/// a single message probes it, and its answer closes the breaker again (its failure opens it for
/// another period).
/// </summary>
public sealed class ChannelBreakers(TimeProvider time, int threshold, TimeSpan openFor)
{
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when a message may be handed to the channel now (closed, or this caller is the probe).</summary>
    public bool TryEnter(string channel) => Get(channel).TryEnter(time.GetUtcNow(), openFor);

    /// <summary>The channel answered (accepted or refused the message); true when this closed its circuit.</summary>
    public bool Succeeded(string channel) => Get(channel).Succeeded();

    /// <summary>The channel failed for now; true when this opened its circuit.</summary>
    public bool Failed(string channel) => Get(channel).Failed(time.GetUtcNow(), threshold);

    /// <summary>Whether the breaker is open now (for health details).</summary>
    public bool IsOpen(string channel) => _breakers.TryGetValue(channel, out Breaker? b) && b.IsOpen(time.GetUtcNow(), openFor);

    /// <summary>The circuit as operators see it, and the temporary failures in a row behind it.</summary>
    public (CircuitState State, int ConsecutiveFailures) Circuit(string channel) =>
        _breakers.TryGetValue(channel, out Breaker? b) ? b.Describe(time.GetUtcNow(), openFor) : (CircuitState.Closed, 0);

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

        public bool Succeeded()
        {
            lock (_gate)
            {
                bool wasOpen = _openedAt is not null;
                _failures = 0;
                _openedAt = null;
                _probing = false;
                return wasOpen;
            }
        }

        public bool Failed(DateTimeOffset now, int threshold)
        {
            lock (_gate)
            {
                _failures++;
                // Sends already under way when the circuit opened fail too: they do not open it again.
                bool opens = _probing || (_openedAt is null && _failures >= threshold);
                if (_probing || _failures >= threshold)
                {
                    _openedAt = now;
                }

                _probing = false;
                return opens;
            }
        }

        public (CircuitState, int) Describe(DateTimeOffset now, TimeSpan openFor)
        {
            lock (_gate)
            {
                CircuitState state = _openedAt is not { } opened ? CircuitState.Closed
                    : now - opened < openFor && !_probing ? CircuitState.Open
                    : CircuitState.HalfOpen;
                return (state, _failures);
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

/// <summary>A channel's circuit: closed (used), open (skipped), half-open (the next message probes it).</summary>
public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
