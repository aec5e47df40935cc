using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Server.Endpoints;

internal static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Json(new HealthResponse { Status = "live" }, OpenTfaJsonContext.Wire.HealthResponse));
        app.MapGet("/health/ready", ReadyAsync);
    }

    /// <summary>Ready depends on the store only: a channel outage must not pull every node out of the load balancer.</summary>
    private static async Task<IResult> ReadyAsync(IStoreMaintenance store, ChannelRouter router, CancellationToken ct)
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

        var body = new HealthResponse { Status = healthy ? "ready" : "unavailable", Details = details };
        return TypedResults.Json(body, OpenTfaJsonContext.Wire.HealthResponse, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }
}
