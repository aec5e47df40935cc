using OpenTfa.Delivery.Smpp.Encoding;

namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// One message on its way through <see cref="SmppClient.SubmitAsync(SmppSubmission, CancellationToken)"/>,
/// remembering which segments the SMSC already accepted. Submitting it again after a failure
/// sends only the remaining segments, with the same concatenation reference, so that a
/// retried long message never repeats a segment the SMSC took. Used by one caller at a time.
/// </summary>
public sealed class SmppSubmission
{
    private readonly List<string> _acceptedIds = [];
    private int _busy;

    public SmppSubmission(SmppMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
    }

    public SmppMessage Message { get; }

    /// <summary>The SMSC's message_id of each segment accepted so far, in order.</summary>
    public IReadOnlyList<string> AcceptedIds
    {
        get
        {
            lock (_acceptedIds)
            {
                return _acceptedIds.ToArray();
            }
        }
    }

    /// <summary>How many segments the text takes; 0 until it was first submitted.</summary>
    public int Segments => Encoded?.Segments.Count ?? 0;

    /// <summary>Every segment was accepted.</summary>
    public bool IsComplete
    {
        get
        {
            lock (_acceptedIds)
            {
                return Encoded is not null && _acceptedIds.Count == Encoded.Segments.Count;
            }
        }
    }

    internal EncodedSms? Encoded { get; private set; }

    internal SmppAddress Source { get; private set; }

    internal SmppAddress Destination { get; private set; }

    internal int AcceptedCount
    {
        get
        {
            lock (_acceptedIds)
            {
                return _acceptedIds.Count;
            }
        }
    }

    internal void Prepare(SmppAddress source, SmppAddress destination, EncodedSms encoded)
    {
        Source = source;
        Destination = destination;
        Encoded = encoded;
    }

    internal void Accept(string messageId)
    {
        lock (_acceptedIds)
        {
            _acceptedIds.Add(messageId);
        }
    }

    internal bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    internal void Exit() => Volatile.Write(ref _busy, 0);
}
