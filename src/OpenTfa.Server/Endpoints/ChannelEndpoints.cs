using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// The delivery channels of this node: what each is, whether it is connected, its last error
/// and what it did since the process started (ProblemDetails errors). Channels are shared by
/// every tenant, so only the operator's admin keys see them.
/// </summary>
internal static class ChannelEndpoints
{
    public static void MapChannels(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/opentfa/v1");
        v1.MapGet("/channels", ListChannels).RequireScope(Scopes.Admin);
    }

    private static IResult ListChannels(HttpContext http, ChannelRouter router, ChannelActivity activity, ChannelBreakers breakers, IOptions<OpenTfaOptions> options, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!http.Caller().IsOperatorAdmin)
        {
            return Problems.Result(new TfaError(ErrorKind.Forbidden, "Only an opentfa:admin key of the operator tenant may see the channels"));
        }

        List<ChannelResponse> channels = router.Channels
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => ToWire(c, activity, breakers, options.Value))
            .Concat(router.KindsWithoutChannel().Select(Missing))
            .ToList();
        return TypedResults.Json(channels, ChannelJsonContext.Default.ListChannelResponse);
    }

    /// <summary>
    /// A kind the default route gives no channel, as an entry of its own so that the list shows
    /// why its sends are refused. The name holds a colon, which no configured channel name can.
    /// </summary>
    private static ChannelResponse Missing(ChannelKind kind) =>
        new() { Name = $"none:{Wire.ToWire(kind)}", Type = "none", Kinds = [Wire.ToWire(kind)], State = "MISSING" };

    private static ChannelResponse ToWire(IMessageChannel channel, ChannelActivity activity, ChannelBreakers breakers, OpenTfaOptions options)
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
            Kinds = Enum.GetValues<ChannelKind>().Where(channel.Supports).Select(Wire.ToWire).ToList(),
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

internal sealed class ChannelResponse
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required IReadOnlyList<string> Kinds { get; init; }

    /// <summary>BOUND, CONNECTING, STOPPING or STOPPED for SMPP; READY for channels without a connection; MISSING for a kind with no channel.</summary>
    public required string State { get; init; }

    /// <summary>Whether routes use the channel; absent for a kind with no channel.</summary>
    public ChannelCircuitResponse? Circuit { get; init; }

    public ChannelSessionsResponse? Sessions { get; init; }

    /// <summary>The most recent problem, kept after recovery: a failed send attempt, or a connection problem of the sessions.</summary>
    public ChannelErrorResponse? LastError { get; init; }

    /// <summary>Counts since this process started; absent for a kind with no channel.</summary>
    public ChannelCountersResponse? Counters { get; init; }
}

internal sealed class ChannelSessionsResponse
{
    public required int Configured { get; init; }

    public required int Bound { get; init; }

    /// <summary>The most recent connection problem (a refused bind, a lost link), kept after recovery.</summary>
    public ChannelErrorResponse? LastError { get; init; }
}

internal sealed class ChannelCircuitResponse
{
    /// <summary>CLOSED (used), OPEN (skipped after repeated temporary failures), HALF_OPEN (the next message probes it).</summary>
    public required string State { get; init; }

    /// <summary>Temporary failures of the channel in a row; a failure about one recipient does not count.</summary>
    public required int ConsecutiveFailures { get; init; }
}

internal sealed class ChannelErrorResponse
{
    public required long At { get; init; }

    public required string Message { get; init; }

    /// <summary>The SMPP status name (ESME_RINVPASWD), when the problem was an SMSC's answer to a bind.</summary>
    public string? Status { get; init; }

    /// <summary>The message whose send attempt failed, when the problem was one.</summary>
    public string? MessageId { get; init; }
}

internal sealed class ChannelCountersResponse
{
    public required long Submitted { get; init; }

    public required long Failed { get; init; }

    public required long Retried { get; init; }

    public required long Delivered { get; init; }

    public required long Undelivered { get; init; }

    public required long Since { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ChannelResponse>))]
internal sealed partial class ChannelJsonContext : JsonSerializerContext;
