namespace OpenTfa.Core.Delivery;

/// <summary>
/// A channel that knows more of itself than its sends show: the connections it keeps and their
/// last problem (SMPP). What every channel sent, failed and retried is counted by the dispatcher
/// in <see cref="ChannelActivity"/>, whatever its type.
/// </summary>
public interface IChannelStatus
{
    ChannelStatusReport GetStatus();
}

/// <param name="State">BOUND, CONNECTING, STOPPING or STOPPED for SMPP.</param>
/// <param name="Sessions">Connections the channel keeps, when it keeps any.</param>
/// <param name="BoundSessions">Those connected and bound now.</param>
/// <param name="LastError">The most recent connection problem, kept after recovery.</param>
public sealed record ChannelStatusReport(
    string State,
    int? Sessions = null,
    int? BoundSessions = null,
    ChannelError? LastError = null);

/// <param name="Code">A machine-readable name for the problem, such as the SMPP status name (ESME_RINVPASWD).</param>
/// <param name="MessageId">The outbox message whose send attempt failed, when the problem was one.</param>
public sealed record ChannelError(DateTimeOffset At, string Message, string? Code, string? MessageId = null);
