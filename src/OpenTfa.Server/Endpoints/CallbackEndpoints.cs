using Microsoft.AspNetCore.Http.Features;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Tenancy;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.Sms;
using OpenTfa.Delivery.Http.Voice;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Where gateways call back: delivery reports (Kannel's dlr-url, Twilio's StatusCallback) and the
/// voice providers' requests for the next instructions of a call (repeat the PIN). Gateways send
/// no API key, so these paths are open to the API-key check and authenticate each request
/// instead: Kannel by the per-message token in the URL, Twilio by X-Twilio-Signature, the voice
/// state by the channel's seal. A failed check counts against the caller's address like a bad
/// key; an authentic callback is never refused by that count.
/// </summary>
internal static class CallbackEndpoints
{
    public static void MapCallbacks(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder callbacks = app.MapGroup(CallbackPaths.Root).AllowAnonymous().WithTags("Provider callbacks").WithMetadata(new CallbackDoc());
        const string KannelReport = "Called by Kannel (dlr-url), authenticated by the per-message token in the URL.";
        callbacks.MapGet("/kannel/{channel}", KannelReportAsync)
            .Operation("kannelDeliveryReport", "Kannel delivery report", KannelReport).AnswersNoContent();
        callbacks.MapPost("/kannel/{channel}", KannelReportAsync)
            .Operation("kannelDeliveryReportPost", "Kannel delivery report (POST)", KannelReport).AnswersNoContent();
        callbacks.MapPost("/twilio/{channel}", TwilioStatusAsync)
            .Operation("twilioStatusCallback", "Twilio status callback", "Called by Twilio (form body), authenticated by X-Twilio-Signature.")
            .AnswersNoContent();
        callbacks.MapPost("/twilio/{channel}/gather", TwilioGatherAsync)
            .Operation("twilioGatherCallback", "Twilio voice call step", "Called by Twilio during a voice PIN call; answers the next TwiML document.")
            .AnswersNoContent().Produces<string>(StatusCodes.Status200OK, "application/xml");
        callbacks.MapPost("/vonage/{channel}/input", VonageInputAsync)
            .Operation("vonageInputCallback", "Vonage voice call step", "Called by Vonage during a voice PIN call; answers the next NCCO.")
            .AnswersNoContent().Produces<string>(StatusCodes.Status200OK, OperationDocs.Json);
        callbacks.MapTelegramCallbacks();
        callbacks.MapWhatsAppCallbacks();
    }

    private static async Task<IResult> KannelReportAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (Find<KannelSmsChannel>(router, channel) is not { } kannel)
        {
            return UnknownChannel(channel, "kannel");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, Microsoft.Extensions.Primitives.StringValues values) in http.Request.Query)
        {
            parameters[key] = values.ToString();
        }

        if (http.Request.HasFormContentType)
        {
            foreach ((string key, Microsoft.Extensions.Primitives.StringValues values) in await http.Request.ReadFormAsync(ct))
            {
                parameters.TryAdd(key, values.ToString());
            }
        }

        return await ApplyAsync(kannel.ReadReport(parameters), kannel.Name, http, reports, throttle, ct);
    }

    private static async Task<IResult> TwilioStatusAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (Find<ITwilioCallbackChannel>(router, channel) is not { } twilio)
        {
            return UnknownChannel(channel, "Twilio");
        }

        if (await ReadTwilioAsync(http, twilio, ct) is not { } form)
        {
            return Refused(http, throttle, "the X-Twilio-Signature does not match the request");
        }

        return await ApplyAsync(twilio.ReadStatus(form), twilio.Name, http, reports, throttle, ct);
    }

    private static async Task<IResult> TwilioGatherAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (Find<TwilioVoiceChannel>(router, channel) is not { } twilio)
        {
            return UnknownChannel(channel, "Twilio voice");
        }

        if (await ReadTwilioAsync(http, twilio, ct) is not { } form)
        {
            return Refused(http, throttle, "the X-Twilio-Signature does not match the request");
        }

        return await ApplyAsync(twilio.Replay(http.Request.Query["state"].ToString(), form), twilio.Name, http, reports, throttle, ct);
    }

    private static async Task<IResult> VonageInputAsync(string channel, HttpContext http, ChannelRouter router, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        if (Find<VonageVoiceChannel>(router, channel) is not { } vonage)
        {
            return UnknownChannel(channel, "Vonage voice");
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        return await ApplyAsync(vonage.Replay(http.Request.Query["state"].ToString(), body.ToArray()), vonage.Name, http, reports, throttle, ct);
    }

    /// <summary>The POST parameters, when the signature over the URL as requested and those parameters holds; otherwise null.</summary>
    private static async Task<List<KeyValuePair<string, string>>?> ReadTwilioAsync(HttpContext http, ITwilioCallbackChannel twilio, CancellationToken ct)
    {
        var form = new List<KeyValuePair<string, string>>();
        if (http.Request.HasFormContentType)
        {
            foreach ((string key, Microsoft.Extensions.Primitives.StringValues values) in await http.Request.ReadFormAsync(ct))
            {
                form.AddRange(values.Select(v => new KeyValuePair<string, string>(key, v ?? string.Empty)));
            }
        }

        string target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
        return twilio.Authenticate(target, form, http.Request.Headers["X-Twilio-Signature"].ToString()) ? form : null;
    }

    internal static async Task<IResult> ApplyAsync(CallbackResult result, string channel, HttpContext http, DeliveryReports reports, AuthFailureThrottle throttle, CancellationToken ct)
    {
        switch (result)
        {
            case CallbackResult.Unauthenticated refused:
                return Refused(http, throttle, refused.Reason);
            case CallbackResult.Invalid invalid:
                return Problems.Result(new TfaError(ErrorKind.BadRequest, invalid.Reason));
            case CallbackResult.Document document:
                return TypedResults.Text(document.Body, document.ContentType);
            case CallbackResult.Report { Delivery: { } report }:
                await reports.RecordAsync(channel, report, ct);
                return TypedResults.NoContent();
            default:
                return TypedResults.NoContent();
        }
    }

    internal static IResult Refused(HttpContext http, AuthFailureThrottle throttle, string reason)
    {
        string address = Address(http);
        if (throttle.Blocked(address, keyId: null) is { } wait)
        {
            return Problems.Result(new TfaError(ErrorKind.TooManyRequests, "Too many failed authentications from this client; try again later", RetryAfter: wait));
        }

        throttle.RecordFailure(address, keyId: null);
        return Problems.Result(new TfaError(ErrorKind.Forbidden, $"Callback refused: {reason}"));
    }

    internal static IResult UnknownChannel(string channel, string kind) =>
        Problems.Result(new TfaError(ErrorKind.NotFound, $"No {kind} channel named '{channel}' is configured on this node"));

    internal static T? Find<T>(ChannelRouter router, string name)
        where T : class =>
        router.Channels.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)) as T;

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
