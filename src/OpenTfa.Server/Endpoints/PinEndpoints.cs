using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

internal static class PinEndpoints
{
    private static readonly EmailStatus EmailAccepted = new() { Name = "PENDING_ACCEPTED", Description = "Message accepted, pending for delivery." };
    private static readonly EmailStatus EmailNotSent = new() { Name = "REJECTED", Description = "Message not sent." };

    public static void MapPins(this RouteGroupBuilder tfa)
    {
        RouteGroupBuilder pin = tfa.MapGroup("/pin").RequireScope(Scopes.PinSend).WithTags("2FA PIN flow");
        RouteGroupBuilder sends = pin.MapGroup(string.Empty).AddEndpointFilter<IdempotencyFilter>().Idempotent();
        sends.MapPost("/", SendSmsAsync)
            .Operation("sendTfaPinCodeOverSms", "Send 2FA PIN code over SMS", "Generates a PIN, stores it and queues its SMS; the answer comes once the message is durably queued.")
            .Query("ncNeeded", JsonSchemaType.Boolean, "Check the number before sending (default true).")
            .Takes<StartAuthenticationRequest>().Answers<StartAuthenticationResponse>();
        sends.MapPost("/voice", SendVoiceAsync)
            .Operation("sendTfaPinCodeOverVoice", "Send 2FA PIN code over Voice")
            .Takes<StartAuthenticationRequest>().Answers<StartAuthenticationResponse>();
        sends.MapPost("/email", SendEmailAsync)
            .Operation("send2faPinCodeOverEmail", "Send 2FA PIN code over email")
            .Takes<StartAuthenticationRequest>().Answers<StartEmailAuthenticationResponse>();
        sends.MapPost("/{pinId}/resend", (string pinId, HttpContext http, PinService s, CancellationToken ct) => ResendAsync(pinId, ChannelKind.Sms, http, s, ct))
            .Operation("resendTfaPinCodeOverSms", "Resend 2FA PIN code over SMS", "Sends the same PIN again.")
            .Takes<ResendPinRequest>().Answers<StartAuthenticationResponse>();
        sends.MapPost("/{pinId}/resend/voice", (string pinId, HttpContext http, PinService s, CancellationToken ct) => ResendAsync(pinId, ChannelKind.Voice, http, s, ct))
            .Operation("resendTfaPinCodeOverVoice", "Resend 2FA PIN code over Voice", "Calls with the same PIN again.")
            .Takes<ResendPinRequest>().Answers<StartAuthenticationResponse>();
        sends.MapPost("/{pinId}/resend/email", (string pinId, HttpContext http, PinService s, CancellationToken ct) => ResendAsync(pinId, ChannelKind.Email, http, s, ct))
            .Operation("resend2faPinCodeOverEmail", "Resend 2FA PIN code over email", "Sends the same PIN again.")
            .Takes<ResendPinRequest>().Answers<StartEmailAuthenticationResponse>();
        pin.MapPost("/{pinId}/verify", VerifyAsync)
            .Operation("verifyTfaPhoneNumber", "Verify phone number", "A wrong, expired or used-up PIN is not an error: the answer says `verified: false` with a `pinError`.")
            .Takes<VerifyPinRequest>().Answers<VerifyPinResponse>();
        tfa.MapGet("/applications/{appId}/verifications", VerificationsAsync).RequireScope(Scopes.PinSend).WithTags("2FA PIN flow")
            .Operation("getTfaVerificationStatus", "Get 2FA verification status")
            .Query("msisdn", JsonSchemaType.String, "The phone number (or e-mail address) whose verifications to list.", required: true)
            .Query("verified", JsonSchemaType.Boolean, "Only verified (true) or unverified (false) entries.")
            .Query("sent", JsonSchemaType.Boolean, "Only entries whose message was (true) or was not (false) sent.")
            .Answers<VerificationResponse>();
    }

    private static async Task<IResult> SendSmsAsync(HttpContext http, PinService service, CancellationToken ct)
    {
        if (!JsonBody.TryQueryBool(http.Request, "ncNeeded", out bool? ncNeeded, out TfaError? queryError))
        {
            return InfobipErrors.Result(queryError!);
        }

        return await SendAsync(http, service, ChannelKind.Sms, ncNeeded ?? true, ct);
    }

    private static Task<IResult> SendVoiceAsync(HttpContext http, PinService service, CancellationToken ct) => SendAsync(http, service, ChannelKind.Voice, false, ct);

    private static Task<IResult> SendEmailAsync(HttpContext http, PinService service, CancellationToken ct) => SendAsync(http, service, ChannelKind.Email, false, ct);

    private static async Task<IResult> SendAsync(HttpContext http, PinService service, ChannelKind kind, bool numberCheck, CancellationToken ct)
    {
        Result<StartAuthenticationRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.StartAuthenticationRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return InfobipErrors.Result(body.Error);
        }

        StartAuthenticationRequest r = body.Value;
        Result<SendPinOutcome> result = await service.SendAsync(http.Caller().TenantId,
            new SendPinCommand(kind, r.ApplicationId, r.MessageId, r.To, r.From, r.Placeholders, numberCheck), ct);
        return result.IsSuccess ? Answer(kind, result.Value) : InfobipErrors.Result(result.Error);
    }

    private static async Task<IResult> ResendAsync(string pinId, ChannelKind kind, HttpContext http, PinService service, CancellationToken ct)
    {
        Result<ResendPinRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.ResendPinRequest, emptyAllowed: true, ct);
        if (!body.IsSuccess)
        {
            return InfobipErrors.Result(body.Error);
        }

        Result<SendPinOutcome> result = await service.ResendAsync(http.Caller().TenantId, pinId, kind, body.Value.Placeholders, ct);
        return result.IsSuccess ? Answer(kind, result.Value) : InfobipErrors.Result(result.Error);
    }

    private static async Task<IResult> VerifyAsync(string pinId, HttpContext http, PinService service, CancellationToken ct)
    {
        Result<VerifyPinRequest> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.VerifyPinRequest, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return InfobipErrors.Result(body.Error);
        }

        Result<VerifyPinOutcome> result = await service.VerifyAsync(http.Caller().TenantId, pinId, body.Value.Pin, ct);
        return result.IsSuccess
            ? TypedResults.Json(Wire.ToWire(result.Value), OpenTfaJsonContext.Wire.VerifyPinResponse)
            : InfobipErrors.Result(result.Error);
    }

    private static async Task<IResult> VerificationsAsync(string appId, HttpContext http, PinService service, CancellationToken ct)
    {
        if (!JsonBody.TryQueryBool(http.Request, "verified", out bool? verified, out TfaError? error)
            || !JsonBody.TryQueryBool(http.Request, "sent", out bool? sent, out error))
        {
            return InfobipErrors.Result(error!);
        }

        Result<IReadOnlyList<VerificationEntry>> result = await service.VerificationsAsync(http.Caller().TenantId, appId, http.Request.Query["msisdn"], verified, sent, ct);
        return result.IsSuccess
            ? TypedResults.Json(new VerificationResponse { Verifications = result.Value.Select(Wire.ToWire).ToList() }, OpenTfaJsonContext.Wire.VerificationResponse)
            : InfobipErrors.Result(result.Error);
    }

    private static IResult Answer(ChannelKind kind, SendPinOutcome outcome) => kind switch
    {
        ChannelKind.Email => TypedResults.Json(
            new StartEmailAuthenticationResponse { PinId = outcome.PinId, To = outcome.To, EmailStatus = outcome.Sent ? EmailAccepted : EmailNotSent },
            OpenTfaJsonContext.Wire.StartEmailAuthenticationResponse),
        ChannelKind.Voice => TypedResults.Json(
            new StartAuthenticationResponse { PinId = outcome.PinId, To = outcome.To, CallStatus = outcome.Sent ? "PENDING_ACCEPTED" : "REJECTED" },
            OpenTfaJsonContext.Wire.StartAuthenticationResponse),
        _ => TypedResults.Json(
            new StartAuthenticationResponse
            {
                PinId = outcome.PinId,
                To = outcome.To,
                NcStatus = outcome.NumberCheck switch
                {
                    NumberCheck.NotConfigured => "NC_NOT_CONFIGURED",
                    NumberCheck.NotReachable => "NC_DESTINATION_NOT_REACHABLE",
                    _ => null,
                },
                SmsStatus = outcome.Sent ? "MESSAGE_SENT" : "MESSAGE_NOT_SENT",
            },
            OpenTfaJsonContext.Wire.StartAuthenticationResponse),
    };
}
