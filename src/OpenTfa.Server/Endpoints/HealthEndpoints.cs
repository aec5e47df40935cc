using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using OpenTfa.Server.Auth;

namespace OpenTfa.Server.Endpoints;

internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Json(new HealthResponse { Status = "live" }, OpenTfaJsonContext.Wire.HealthResponse)).AllowAnonymous();
        app.MapGet("/health/ready", ReadyAsync).AllowAnonymous();
    }

    /// <summary>
    /// Ready depends on the store only: a channel outage must not pull every node out of the load
    /// balancer. The details (store, channels) are the operator's: shown only to a key of the
    /// operator tenant that may read metrics.
    /// </summary>
    private static async Task<IResult> ReadyAsync(HttpContext http, IStoreMaintenance store, ChannelRouter router, CancellationToken ct)
    {
        bool healthy;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            healthy = await store.IsHealthyAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            healthy = false;
        }

        string status = healthy ? "ready" : "unavailable";
        int code = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        if (!ScopeHandler.ReadsServiceMetrics(http.CallerOrNull()))
        {
            return TypedResults.Json(new HealthResponse { Status = status }, OpenTfaJsonContext.Wire.HealthResponse, statusCode: code);
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["store"] = healthy ? "ok" : "unavailable" };
        foreach (IMessageChannel channel in router.Channels)
        {
            details[$"channel:{channel.Name}"] = channel is LogChannel
                ? "development only: messages are printed to standard output, not delivered"
                : "configured";
        }

        foreach (ChannelKind kind in router.KindsWithoutChannel())
        {
            details[$"route:{Wire.ToWire(kind)}"] = "no channel: sends of this kind are refused";
        }

        return TypedResults.Json(new HealthResponse { Status = status, Details = details }, OpenTfaJsonContext.Wire.HealthResponse, statusCode: code);
    }
}
