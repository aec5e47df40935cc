using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Tenancy;
using OpenTfa.Delivery.Smpp.Channels;
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

    private static IResult ListChannels(HttpContext http, ChannelRouter router, IOptions<OpenTfaOptions> options, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!http.Caller().IsOperatorAdmin)
        {
            return Problems.Result(new TfaError(ErrorKind.Forbidden, "Only an opentfa:admin key of the operator tenant may see the channels"));
        }

        List<ChannelResponse> channels = router.Channels
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => ToWire(c, options.Value))
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

    private static ChannelResponse ToWire(IMessageChannel channel, OpenTfaOptions options)
    {
        string type = options.Channels.TryGetValue(channel.Name, out ChannelOptions? configured) && configured.Type is { } t
            ? t.ToLowerInvariant()
            : channel switch
            {
                LogChannel => LogChannel.Type,
                DiscardChannel => DiscardChannel.Type,
                _ => "unknown",
            };
        List<string> kinds = Enum.GetValues<ChannelKind>().Where(channel.Supports).Select(Wire.ToWire).ToList();
        if (channel is not IChannelStatus reporting)
        {
            // The log and discard channels hold no connection and keep no counters.
            return new ChannelResponse { Name = channel.Name, Type = type, Kinds = kinds, State = "READY" };
        }

        ChannelStatusReport status = reporting.GetStatus();
        return new ChannelResponse
        {
            Name = channel.Name,
            Type = status.Type,
            Kinds = kinds,
            State = status.State,
            Sessions = status.Sessions is { } sessions ? new ChannelSessionsResponse { Configured = sessions, Bound = status.BoundSessions ?? 0 } : null,
            LastError = status.LastError is { } error
                ? new ChannelErrorResponse { At = UnixTime.Milliseconds(error.At), Message = error.Message, Status = error.Code }
                : null,
            Counters = new ChannelCountersResponse
            {
                Submitted = status.Counters.Submitted,
                Delivered = status.Counters.Delivered,
                Failed = status.Counters.Failed,
                TemporaryFailures = status.Counters.TemporaryFailures,
                Since = UnixTime.Milliseconds(status.Since),
            },
        };
    }
}

internal sealed class ChannelResponse
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required IReadOnlyList<string> Kinds { get; init; }

    /// <summary>BOUND, CONNECTING, STOPPING or STOPPED for SMPP; READY for channels without a connection; MISSING for a kind with no channel.</summary>
    public required string State { get; init; }

    public ChannelSessionsResponse? Sessions { get; init; }

    public ChannelErrorResponse? LastError { get; init; }

    /// <summary>Counts since this process started; absent for channels that keep none.</summary>
    public ChannelCountersResponse? Counters { get; init; }
}

internal sealed class ChannelSessionsResponse
{
    public required int Configured { get; init; }

    public required int Bound { get; init; }
}

internal sealed class ChannelErrorResponse
{
    public required long At { get; init; }

    public required string Message { get; init; }

    /// <summary>The SMPP status name (ESME_RINVPASWD), when the problem was an SMSC's answer.</summary>
    public string? Status { get; init; }
}

internal sealed class ChannelCountersResponse
{
    public required long Submitted { get; init; }

    public required long Delivered { get; init; }

    public required long Failed { get; init; }

    public required long TemporaryFailures { get; init; }

    public required long Since { get; init; }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<ChannelResponse>))]
internal sealed partial class ChannelJsonContext : JsonSerializerContext;
