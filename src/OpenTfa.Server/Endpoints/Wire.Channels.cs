using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Server.Endpoints;

/// <summary>The channels of this node on the wire.</summary>
internal static partial class Wire
{
    /// <summary>
    /// A kind the default route gives no channel, as an entry of its own so that the list shows
    /// why its sends are refused. The name holds a colon, which no configured channel name can.
    /// </summary>
    public static ChannelResponse MissingChannel(ChannelKind kind) =>
        new() { Name = $"none:{ToWire(kind)}", Type = "none", Kinds = [ToWire(kind)], State = "MISSING" };

    public static ChannelResponse ToWire(IMessageChannel channel, ChannelActivity activity, ChannelBreakers breakers, OpenTfaOptions options)
    {
        string type = options.Channels.TryGetValue(channel.Name, out ChannelOptions? configured) && configured.Type is { } t
            ? t.ToLowerInvariant()
            : channel switch
            {
                LogChannel => LogChannel.Type,
                DiscardChannel => DiscardChannel.Type,
                _ => "unknown",
            };

        // Channels without a connection (HTTP gateways, SMTP, log) are ready whenever asked.
        ChannelStatusReport? status = (channel as IChannelStatus)?.GetStatus();
        (CircuitState circuit, int failures) = breakers.Circuit(channel.Name);
        ChannelCounters counters = activity.Counters(channel.Name);
        ChannelError? lastError = new[] { status?.LastError, activity.LastError(channel.Name) }.OfType<ChannelError>().MaxBy(e => e.At);
        return new ChannelResponse
        {
            Name = channel.Name,
            Type = type,
            Kinds = Enum.GetValues<ChannelKind>().Where(channel.Supports).Select(ToWire).ToList(),
            State = status?.State ?? "READY",
            Circuit = new ChannelCircuitResponse
            {
                State = circuit switch { CircuitState.Open => "OPEN", CircuitState.HalfOpen => "HALF_OPEN", _ => "CLOSED" },
                ConsecutiveFailures = failures,
            },
            Sessions = status?.Sessions is { } sessions
                ? new ChannelSessionsResponse { Configured = sessions, Bound = status.BoundSessions ?? 0, LastError = ToWire(status.LastError) }
                : null,
            LastError = ToWire(lastError),
            Counters = new ChannelCountersResponse
            {
                Submitted = counters.Submitted,
                Failed = counters.Failed,
                Retried = counters.Retried,
                Delivered = counters.Delivered,
                Undelivered = counters.Undelivered,
                Since = UnixTime.Milliseconds(activity.Since),
            },
        };
    }

    private static ChannelErrorResponse? ToWire(ChannelError? error) => error is null
        ? null
        : new ChannelErrorResponse { At = UnixTime.Milliseconds(error.At), Message = error.Message, Status = error.Code, MessageId = error.MessageId };
}
