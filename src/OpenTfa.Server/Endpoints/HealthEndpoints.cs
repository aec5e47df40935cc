using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Hosting;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

internal static class HealthEndpoints
{
    /// <summary>How long readiness waits for the store; a store that takes longer is unavailable.</summary>
    private static readonly TimeSpan StoreLimit = TimeSpan.FromSeconds(2);

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => TypedResults.Json(new HealthResponse { Status = "live" }, OpenTfaJsonContext.Wire.HealthResponse)).AllowAnonymous()
            .WithTags("Operations").Operation("getLiveness", "Liveness", "Answers while the process runs; no key needed.").Answers<HealthResponse>();
        app.MapGet("/health/ready", ReadyAsync).AllowAnonymous()
            .WithTags("Operations").Operation("getReadiness", "Readiness", "200 while the store answers, 503 otherwise; no key needed. With a key of the operator tenant that may read metrics, `details` tells store, channels and version.")
            .Answers<HealthResponse>().Answers<HealthResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Ready depends on the store only: a channel outage must not pull every node out of the load
    /// balancer. A store that does not answer within <see cref="StoreLimit"/>, or cannot write
    /// (a full disk), is not ready. The details (store, channels) are the operator's: shown only
    /// to a key of the operator tenant that may read metrics.
    /// </summary>
    private static async Task<IResult> ReadyAsync(HttpContext http, IStoreMaintenance store, ChannelRouter router, CancellationToken ct)
    {
        StoreHealth health;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(StoreLimit);
            // WaitAsync holds the limit even against a driver that does not give up when cancelled.
            health = await store.CheckHealthAsync(timeout.Token).WaitAsync(StoreLimit, ct);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            health = StoreHealth.Unavailable($"no answer within {StoreLimit.TotalSeconds:0} s");
        }

        string status = health.Healthy ? "ready" : "unavailable";
        int code = health.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        if (!ScopeHandler.ReadsServiceMetrics(http.CallerOrNull()))
        {
            return TypedResults.Json(new HealthResponse { Status = status }, OpenTfaJsonContext.Wire.HealthResponse, statusCode: code);
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["store"] = health.Healthy ? "ok" : "unavailable" };
        if (health.Problem is { } problem)
        {
            details["store:problem"] = problem;
        }

        details["version"] = BuildInfo.Version;
        details["commit"] = BuildInfo.Commit;
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
