using OpenTfa.Core.Delivery;
using OpenTfa.Core.Tenancy;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.Telegram;
using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Delivery reports of Telegram's Gateway API, one path per <c>telegram</c> channel (the
/// <c>callback_url</c> it sends with each code). Authenticated like every callback, by the request
/// itself: <c>X-Request-Signature</c> over <c>X-Request-Timestamp</c> and the raw body, keyed by the
/// channel's access token; a refused report counts against the caller's address like a bad key.
/// An accepted report answers exactly 200, the one answer that ends the gateway's retries.
/// </summary>
internal static class TelegramCallbackEndpoints
{
    public static void MapTelegramCallbacks(this RouteGroupBuilder callbacks) =>
        callbacks.MapPost("/telegram/{channel}", ReportAsync)
            .Operation("telegramDeliveryReport", "Telegram Gateway delivery report",
                "Called by Telegram's Gateway API (a JSON RequestStatus), authenticated by X-Request-Timestamp and X-Request-Signature; answers 200, which ends the gateway's retries.")
            .Produces(StatusCodes.Status200OK);

    private static async Task<IResult> ReportAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (CallbackEndpoints.Find<TelegramGatewayChannel>(router, channel) is not { } telegram)
        {
            return CallbackEndpoints.UnknownChannel(channel, "Telegram");
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        CallbackResult result = telegram.ReadReport(http.Request.Headers["X-Request-Timestamp"].ToString(), http.Request.Headers["X-Request-Signature"].ToString(), body.ToArray());
        if (result is not CallbackResult.Report report)
        {
            return await CallbackEndpoints.ApplyAsync(result, telegram.Name, http, reports, throttle, ct);
        }

        if (report.Delivery is { } delivery)
        {
            await reports.RecordAsync(telegram.Name, delivery, ct);
        }

        return TypedResults.Ok();
    }
}
