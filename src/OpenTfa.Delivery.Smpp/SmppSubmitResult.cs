namespace OpenTfa.Delivery.Smpp;

/// <summary>Whether a failed submit may succeed if tried again later.</summary>
public enum SmppFailureKind
{
    /// <summary>Not a failure: the SMSC accepted every segment.</summary>
    None,

    /// <summary>Try again later, or on another route.</summary>
    Temporary,

    /// <summary>Trying again will fail the same way.</summary>
    Permanent,
}

/// <summary>
/// Names of failures that have no SMSC command_status: the library decided them itself.
/// </summary>
public static class SmppFailureReasons
{
    /// <summary>No bound session had room before the caller's deadline.</summary>
    public const string NoLink = "NO_LINK";

    /// <summary>submit_sm was sent but no answer came within ResponseTimeout; the message may or may not go out.</summary>
    public const string ResponseTimeout = "RESPONSE_TIMEOUT";

    /// <summary>The link dropped after submit_sm was sent; the message may or may not go out.</summary>
    public const string ConnectionLost = "CONNECTION_LOST";

    /// <summary>The caller's deadline passed while the segment waited for the throughput cap or the write; nothing was sent.</summary>
    public const string Canceled = "CANCELED";

    /// <summary>The client is stopping or stopped.</summary>
    public const string ClientStopped = "CLIENT_STOPPED";

    /// <summary>The SMSC's answer could not be decoded.</summary>
    public const string ProtocolError = "PROTOCOL_ERROR";

    public const string InvalidSource = "INVALID_SOURCE";

    public const string InvalidDestination = "INVALID_DESTINATION";

    /// <summary>The text needs more than 255 segments.</summary>
    public const string MessageTooLong = "MESSAGE_TOO_LONG";
}

/// <summary>The outcome of <see cref="SmppClient.SubmitAsync"/>.</summary>
public sealed class SmppSubmitResult
{
    private SmppSubmitResult(SmppFailureKind failureKind, IReadOnlyList<string> messageIds, int segments, uint? commandStatus, string? statusName, string? detail)
    {
        FailureKind = failureKind;
        MessageIds = messageIds;
        Segments = segments;
        CommandStatus = commandStatus;
        StatusName = statusName;
        Detail = detail;
    }

    public bool Succeeded => FailureKind == SmppFailureKind.None;

    public SmppFailureKind FailureKind { get; }

    /// <summary>The SMSC's message_id of each accepted segment, in order; on failure, those accepted before it.</summary>
    public IReadOnlyList<string> MessageIds { get; }

    /// <summary>The id of the first segment: the message's id.</summary>
    public string? MessageId => MessageIds.Count > 0 ? MessageIds[0] : null;

    /// <summary>How many segments the text took.</summary>
    public int Segments { get; }

    /// <summary>The SMSC's command_status when the failure came from the SMSC; null otherwise.</summary>
    public uint? CommandStatus { get; }

    /// <summary>The status's SMPP name (ESME_RINVDSTADR) or one of <see cref="SmppFailureReasons"/>.</summary>
    public string? StatusName { get; }

    /// <summary>A sentence for logs; it never holds the text or the full destination.</summary>
    public string? Detail { get; }

    public static SmppSubmitResult Success(IReadOnlyList<string> messageIds) =>
        new(SmppFailureKind.None, messageIds, messageIds.Count, null, null, null);

    public static SmppSubmitResult Failure(SmppFailureKind kind, uint? commandStatus, string statusName, string detail, IReadOnlyList<string>? acceptedIds = null, int segments = 0)
    {
        if (kind == SmppFailureKind.None)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A failure needs a kind.");
        }

        return new(kind, acceptedIds ?? [], segments, commandStatus, statusName, detail);
    }
}
