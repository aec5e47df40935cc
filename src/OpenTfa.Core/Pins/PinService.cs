using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Pins;

public sealed record SendPinCommand(
    ChannelKind Kind,
    string? ApplicationId,
    string? MessageId,
    string? To,
    string? From,
    IReadOnlyDictionary<string, string>? Placeholders,
    bool NumberCheckNeeded);

public sealed record SendPinOutcome(string PinId, string To, NumberCheck? NumberCheck, bool Sent);

public sealed record VerifyPinOutcome(string PinId, string Msisdn, bool Verified, int AttemptsRemaining, PinError Error);

/// <summary>
/// Send, resend and verify, each in stages: a validator (<see cref="SendValidator"/>,
/// <see cref="VerifyValidator"/>), for sends the <see cref="PinMessageBuilder"/>, then one atomic
/// store step, then <see cref="PinEvents"/>. This class only runs the stages in order.
/// </summary>
public sealed class PinService(
    IApplicationStore applications,
    IPinStore pins,
    SendValidator sendValidator,
    VerifyValidator verifyValidator,
    PinMessageBuilder builder,
    PinEvents events,
    OutboxSignal outbox,
    TimeProvider time)
{
    public async Task<Result<SendPinOutcome>> SendAsync(string tenantId, SendPinCommand command, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin send", command.ApplicationId);
        Result<ValidatedSend> validated = await sendValidator.ValidateSendAsync(tenantId, command, cancellationToken);
        if (!validated.IsSuccess)
        {
            return validated.Error;
        }

        ValidatedSend send = validated.Value;
        DateTimeOffset now = time.GetUtcNow();
        Result<NewPin> built = await builder.BuildSendAsync(send, now, cancellationToken);
        if (!built.IsSuccess)
        {
            return built.Error;
        }

        NewPin issued = built.Value;
        LimitRefusal? refusal = await pins.IssuePinAsync(issued.Pin, issued.Message, [.. SendLimits(send.Application, send.Destination), .. send.Caps], now, cancellationToken);
        if (refusal is not null)
        {
            await events.SendRefusedAsync(send, refusal, now, cancellationToken);
            return TooMany(refusal);
        }

        if (issued.Message is not null)
        {
            outbox.Notify();
        }

        activity?.SetTag("opentfa.pin_id", issued.Pin.Id);
        await events.SentAsync(issued, cancellationToken);
        return new SendPinOutcome(issued.Pin.Id, command.To!, send.NumberCheck, send.Sendable);
    }

    /// <summary>The same PIN in a new message; whether the PIN can still be resent is <see cref="PinRules.CanResend"/>, decided in the store step.</summary>
    public async Task<Result<SendPinOutcome>> ResendAsync(string tenantId, string pinId, ChannelKind kind, IReadOnlyDictionary<string, string>? placeholders, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin resend", pinId: pinId);
        Result<ValidatedResend> validated = await sendValidator.ValidateResendAsync(tenantId, pinId, kind, placeholders, cancellationToken);
        if (!validated.IsSuccess)
        {
            return validated.Error;
        }

        ValidatedResend resend = validated.Value;
        PinRecord pin = resend.Pin;
        DateTimeOffset now = time.GetUtcNow();
        Result<OutboxMessage> built = await builder.BuildResendAsync(resend, now, cancellationToken);
        if (!built.IsSuccess)
        {
            return built.Error;
        }

        ResendResult result = await pins.ResendPinAsync(new ResendOperation(tenantId, pin.Id, built.Value, SendLimits(resend.Application, pin.Destination), now), cancellationToken);
        switch (result)
        {
            case ResendResult.Resent:
                outbox.Notify();
                await events.ResentAsync(resend, built.Value, now, cancellationToken);
                return new SendPinOutcome(pin.Id, pin.Destination, null, true);
            case ResendResult.Limited limited:
                events.Limited(resend.Application.Id, limited.Refusal);
                return TooMany(limited.Refusal);
            case ResendResult.Refused refused:
                return new TfaError(ErrorKind.BadRequest, refused.Reason == PinError.TtlExpired
                    ? "The PIN has expired and cannot be resent; send a new one"
                    : "The PIN is already verified or out of attempts and cannot be resent; send a new one");
            default:
                return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }
    }

    /// <summary>
    /// Reads the PIN, compares the candidate, checks the verify limit and applies the verify
    /// decision, <see cref="PinRules.Decide"/>, in one atomic store step: a wrong PIN spends an
    /// attempt, a right one verifies (once, unless the application allows more), an expired or
    /// used-up PIN answers its error.
    /// </summary>
    public async Task<Result<VerifyPinOutcome>> VerifyAsync(string tenantId, string pinId, string? candidatePin, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin verify", pinId: pinId);
        if (VerifyValidator.CheckCandidate(candidatePin) is { } invalid)
        {
            return invalid;
        }

        DateTimeOffset now = time.GetUtcNow();
        VerifyResult result = await pins.VerifyPinAsync(
            new VerifyOperation(tenantId, pinId, now, (pin, ct) => verifyValidator.TermsAsync(pin, candidatePin!, ct)), cancellationToken);
        await events.VerifiedAsync(result, now, cancellationToken);
        return result switch
        {
            VerifyResult.Decided d => new VerifyPinOutcome(d.Pin.Id, d.Pin.Destination, d.Decision.Verified, d.Decision.AttemptsRemaining, d.Decision.Error),
            VerifyResult.Limited l => TooMany(l.Refusal),
            VerifyResult.LockedOut l => new VerifyPinOutcome(l.Pin.Id, l.Pin.Destination, false, 0, PinError.NoMorePinAttempts),
            VerifyResult.Refused r => r.Error,
            _ => new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound),
        };
    }

    public async Task<Result<IReadOnlyList<VerificationEntry>>> VerificationsAsync(string tenantId, string applicationId, string? msisdn, bool? verified, bool? sent, CancellationToken cancellationToken)
    {
        if (await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        if (string.IsNullOrWhiteSpace(msisdn))
        {
            return TfaError.Field("msisdn", "is required");
        }

        string? destination = msisdn.Contains('@', StringComparison.Ordinal) ? Destinations.CanonicalEmail(msisdn) : Destinations.CanonicalPhone(msisdn);
        if (destination is null)
        {
            return TfaError.Field("msisdn", "must be a phone number in international format or an e-mail address");
        }

        IReadOnlyList<VerificationEntry> list = await pins.ListVerificationsAsync(new VerificationQuery(tenantId, applicationId, destination, verified, sent), cancellationToken);
        return Result<IReadOnlyList<VerificationEntry>>.Ok(list);
    }

    private static TfaError TooMany(LimitRefusal refusal) =>
        new(ErrorKind.TooManyRequests, refusal.Check.Setting.StartsWith("caps.", StringComparison.Ordinal)
            ? $"Too many requests: protection rule '{refusal.Check.Setting}' caps sends at {refusal.Check.Text}"
            : ErrorTexts.LimitExceeded(refusal.Check.Setting, refusal.Check.Text), RetryAfter: refusal.RetryAfter);

    /// <summary>The application's two send limits for a destination, which every send and resend counts against.</summary>
    internal static IReadOnlyList<LimitCheck> SendLimits(Application application, string destination) =>
    [
        LimitKeys.SendPerApplication(application.Id, application.Settings.SendPerApplication, application.Settings.SendPinPerApplicationLimit),
        LimitKeys.SendPerDestination(application.Id, destination, application.Settings.SendPerPhoneNumber, application.Settings.SendPinPerPhoneNumberLimit),
    ];
}
