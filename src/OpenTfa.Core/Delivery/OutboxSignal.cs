using System.Diagnostics.CodeAnalysis;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// Wakes a background loop when work was queued, so that it need not wait for its next poll.
/// Signals that arrive while one is pending fold into one wake-up.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim owns no handle unless its AvailableWaitHandle is read, which this class never does; the signal lives as long as the process.")]
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller signalled first; one wake-up is enough.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Wakes the outbox dispatcher when a message was enqueued.</summary>
public sealed class OutboxSignal : WakeSignal;
