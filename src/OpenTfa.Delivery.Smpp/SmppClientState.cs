namespace OpenTfa.Delivery.Smpp;

/// <summary>Where the client is, for health reports.</summary>
public enum SmppClientState
{
    /// <summary>Not started, or stopped.</summary>
    Stopped,

    /// <summary>Started, but no session that can submit is bound (yet, or any more).</summary>
    Connecting,

    /// <summary>At least one session that can submit is bound.</summary>
    Bound,

    /// <summary>StopAsync is unbinding the sessions.</summary>
    Stopping,
}

/// <summary>The most recent connection problem; kept after the client recovers, with its time.</summary>
/// <param name="At">When it happened (from the client's TimeProvider).</param>
/// <param name="Message">What happened, e.g. "bind refused: ESME_RINVPASWD (0x0000000E)".</param>
/// <param name="CommandStatus">The SMSC's command_status, when the problem was an SMSC answer.</param>
/// <param name="StatusName">That status's SMPP name.</param>
public sealed record SmppClientError(DateTimeOffset At, string Message, uint? CommandStatus, string? StatusName);
