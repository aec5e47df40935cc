namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// A channel that reports its state and counts what it did since this process started
/// (in memory, per node). Nothing in it is specific to SMPP, so that other channel types can
/// report the same way.
/// </summary>
public interface IChannelStatus
{
    ChannelStatusReport GetStatus();
}

/// <param name="Type">The channel type (<c>smpp</c>, …).</param>
/// <param name="State">BOUND, CONNECTING, STOPPING or STOPPED for SMPP.</param>
/// <param name="Since">When the counters started.</param>
/// <param name="Sessions">Connections the channel keeps, when it keeps any.</param>
/// <param name="BoundSessions">Those connected and bound now.</param>
/// <param name="LastError">The most recent connection problem, kept after recovery.</param>
public sealed record ChannelStatusReport(
    string Type,
    string State,
    ChannelCounters Counters,
    DateTimeOffset Since,
    int? Sessions = null,
    int? BoundSessions = null,
    ChannelError? LastError = null);

/// <param name="Code">A machine-readable name for the problem, such as the SMPP status name (ESME_RINVPASWD).</param>
public sealed record ChannelError(DateTimeOffset At, string Message, string? Code);

/// <param name="Submitted">Messages the far end accepted.</param>
/// <param name="Delivered">Messages a delivery report confirmed.</param>
/// <param name="Failed">Messages refused for good, or reported undelivered.</param>
/// <param name="TemporaryFailures">Send attempts that failed for now and go back to the outbox for a retry.</param>
public sealed record ChannelCounters(long Submitted, long Delivered, long Failed, long TemporaryFailures);
