using Microsoft.Extensions.Options;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using OpenTfa.Server.Hosting;

using OpenTfa.Server.OpenApi;

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
        v1.MapGet("/channels", ListChannels).RequireScope(Scopes.Admin).WithTags("Operations")
            .Operation("getChannels", "List this node's delivery channels", "State, circuit breaker, counters and last error of each; only a key of the operator tenant.")
            .Answers<List<ChannelResponse>>();
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
            .Select(c => Wire.ToWire(c, activity, breakers, options.Value))
            .Concat(router.KindsWithoutChannel().Select(Wire.MissingChannel))
            .ToList();
        return TypedResults.Json(channels, OpenTfaJsonContext.Wire.ListChannelResponse);
    }
}
