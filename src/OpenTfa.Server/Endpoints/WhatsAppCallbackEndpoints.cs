using Microsoft.OpenApi;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Tenancy;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.WhatsApp;
using OpenTfa.Server.Errors;
using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Meta's webhook for a whatsapp channel: the subscription handshake (GET, the channel's
/// VerifyToken) and the message status notifications (POST, signed with the app secret in
/// X-Hub-Signature-256). Like every gateway callback, a failed check counts against the caller's
/// address as a bad key does (<see cref="CallbackEndpoints"/>).
/// </summary>
internal static class WhatsAppCallbackEndpoints
{
    private const string Kind = "WhatsApp";

    public static void MapWhatsAppCallbacks(this RouteGroupBuilder callbacks)
    {
        callbacks.MapGet("/whatsapp/{channel}", Subscribe)
            .Operation("whatsAppWebhookVerification", "WhatsApp webhook verification",
                "Called by Meta when the webhook is configured: answers hub.challenge when hub.mode is subscribe and hub.verify_token is the channel's VerifyToken.")
            .Query("hub.mode", JsonSchemaType.String, "subscribe")
            .Query("hub.verify_token", JsonSchemaType.String, "The channel's VerifyToken.")
            .Query("hub.challenge", JsonSchemaType.String, "Echoed on success.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        callbacks.MapPost("/whatsapp/{channel}", StatusesAsync)
            .Operation("whatsAppStatusWebhook", "WhatsApp message statuses",
                "Called by Meta (JSON body), authenticated by X-Hub-Signature-256; delivered and read deliver the message, failed fails it with Meta's error.")
            .Produces(StatusCodes.Status200OK);
    }

    private static IResult Subscribe(string channel, HttpContext http, ChannelRouter router, AuthFailureThrottle throttle, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (CallbackEndpoints.Find<WhatsAppChannel>(router, channel) is not { } whatsApp)
        {
            return CallbackEndpoints.UnknownChannel(channel, Kind);
        }

        IQueryCollection query = http.Request.Query;
        if (!whatsApp.AcceptsSubscription(query["hub.mode"].ToString(), query["hub.verify_token"].ToString()))
        {
            return CallbackEndpoints.Refused(http, throttle, "hub.mode is not subscribe or hub.verify_token is not the channel's VerifyToken");
        }

        return TypedResults.Text(query["hub.challenge"].ToString(), "text/plain");
    }

    private static async Task<IResult> StatusesAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (CallbackEndpoints.Find<WhatsAppChannel>(router, channel) is not { } whatsApp)
        {
            return CallbackEndpoints.UnknownChannel(channel, Kind);
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        switch (whatsApp.ReadStatuses(body.ToArray(), http.Request.Headers["X-Hub-Signature-256"].ToString()))
        {
            case CallbackResult.Unauthenticated refused:
                return CallbackEndpoints.Refused(http, throttle, refused.Reason);
            case CallbackResult.Reports { Deliveries: var deliveries }:
                foreach (DeliveryReport report in deliveries)
                {
                    await reports.RecordAsync(whatsApp.Name, report, ct);
                }

                // Meta counts only a 200 as received and retries anything else.
                return TypedResults.Ok();
            case CallbackResult.Invalid invalid:
                return Problems.Result(new TfaError(ErrorKind.BadRequest, invalid.Reason));
            default:
                return TypedResults.Ok();
        }
    }
}
