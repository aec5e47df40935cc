using OpenTfa.Core.Delivery;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Pins;

/// <summary>
/// The last stage of a send, resend or verify: what the store step decided, told to the metrics,
/// the event sink (and through it the webhooks) and the protection records.
/// </summary>
public sealed class PinEvents(ProtectionService protection, IEventSink events, OpenTfaMetrics metrics)
{
    public async Task SentAsync(NewPin issued, CancellationToken cancellationToken)
    {
        PinRecord pin = issued.Pin;
        metrics.PinSent(pin.ApplicationId, pin.Kind, pin.Destination, pin.Sent);
        if (pin.Sent)
        {
            if (issued.Message?.Step is { } step)
            {
                metrics.WorkflowStep(pin.ApplicationId, pin.Kind, pin.Destination, step, "sent");
            }

            await events.PublishAsync(new OpenTfaEvent(EventTypes.PinSent, pin.TenantId, pin.ApplicationId, pin.CreatedAt,
                EventData.ForPin(pin.Id, pin.Kind, pin.Destination) with
                {
                    MessageId = issued.Message?.Id, Resend = false, Step = issued.Message?.Step, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds(),
                }), cancellationToken);
        }
    }

    /// <summary>A send refused by a limit: a protection cap is recorded as a rule hit and a <c>rule.refused</c> event, an application limit is counted.</summary>
    public async Task SendRefusedAsync(ValidatedSend send, LimitRefusal refusal, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (send.Caps.Contains(refusal.Check))
        {
            await protection.RecordCapRefusalAsync(send.TenantId, send.Application.Id, refusal.Check, send.Destination, cancellationToken);
            await events.PublishAsync(OpenTfaEvents.RuleRefused(send.TenantId, send.Application.Id, refusal.Check.Setting, "send", send.Kind, send.Destination, now), cancellationToken);
        }
        else
        {
            Limited(send.Application.Id, refusal);
        }
    }

    public async Task ResentAsync(ValidatedResend resend, OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PinRecord pin = resend.Pin;
        metrics.PinResent(pin.ApplicationId, resend.Kind, pin.Destination);
        await events.PublishAsync(new OpenTfaEvent(EventTypes.PinSent, pin.TenantId, pin.ApplicationId, now,
            EventData.ForPin(pin.Id, resend.Kind, pin.Destination) with { MessageId = message.Id, Resend = true, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }), cancellationToken);
    }

    /// <summary>A later workflow step that went out: a <c>pin.sent</c> with its step number, not a resend.</summary>
    public async Task StepSentAsync(ValidatedResend step, OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PinRecord pin = step.Pin;
        metrics.WorkflowStep(pin.ApplicationId, step.Kind, pin.Destination, message.Step ?? 0, "sent");
        await events.PublishAsync(new OpenTfaEvent(EventTypes.PinSent, pin.TenantId, pin.ApplicationId, now,
            EventData.ForPin(pin.Id, step.Kind, pin.Destination) with { MessageId = message.Id, Resend = false, Step = message.Step, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }), cancellationToken);
    }

    /// <summary>A workflow step that did not go out, and why (<paramref name="reason"/> is the refusal's text, free of destinations).</summary>
    public async Task StepSkippedAsync(PinRecord pin, ChannelKind kind, int step, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        metrics.WorkflowStep(pin.ApplicationId, kind, pin.Destination, step, "skipped");
        await events.PublishAsync(new OpenTfaEvent(EventTypes.StepSkipped, pin.TenantId, pin.ApplicationId, now,
            EventData.ForPin(pin.Id, kind, pin.Destination) with { Step = step, Error = reason, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }), cancellationToken);
    }

    /// <summary>A resend or verify refused by an application limit.</summary>
    public void Limited(string applicationId, LimitRefusal refusal) =>
        metrics.Refused(applicationId, "limit", refusal.Check.Setting);

    /// <summary>Counts the verify and publishes the first successful one, and the wrong PIN that used up the last attempt.</summary>
    public async Task VerifiedAsync(VerifyResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (result is VerifyResult.Limited limited)
        {
            Limited(limited.Pin.ApplicationId, limited.Refusal);
            return;
        }

        if (result is VerifyResult.LockedOut locked)
        {
            PinRecord lockedPin = locked.Pin;
            await protection.RecordLockoutAsync(lockedPin.TenantId, lockedPin.ApplicationId, lockedPin.Destination, ProtectionService.LockoutHit(locked.Failures), cancellationToken);
            await events.PublishAsync(OpenTfaEvents.RuleRefused(lockedPin.TenantId, lockedPin.ApplicationId, "nist", "verify", lockedPin.Kind, lockedPin.Destination, now, lockedPin.Id), cancellationToken);
            return;
        }

        if (result is not VerifyResult.Decided { Decision: var decision } decided)
        {
            return;
        }

        PinRecord pin = decided.Pin;

        metrics.Verification(pin.ApplicationId, pin.Kind, pin.Destination, decision.Error);
        string? type = null;
        if (decision.Verified && decided.Pin.VerifiedAt == now)
        {
            metrics.VerifiedAfter(pin.ApplicationId, pin.Kind, pin.Destination, now - pin.CreatedAt);
            type = EventTypes.PinVerified;
        }
        else if (decision.Error == PinError.WrongPin && decision.AttemptsRemaining == 0)
        {
            type = EventTypes.PinAttemptsExhausted;
        }

        if (type is not null)
        {
            await events.PublishAsync(new OpenTfaEvent(type, pin.TenantId, pin.ApplicationId, now,
                EventData.ForPin(pin.Id, pin.Kind, pin.Destination) with
                {
                    AttemptsRemaining = decision.AttemptsRemaining,
                    CreatedAt = pin.CreatedAt.ToUnixTimeMilliseconds(),
                    VerifiedAt = decided.Pin.VerifiedAt?.ToUnixTimeMilliseconds(),
                }), cancellationToken);
        }
    }

    /// <summary>Publishes an approval made without a code as <c>pin.verified</c>, and a cancel as <c>pin.canceled</c>.</summary>
    public async Task ClosedAsync(PinRecord pin, PinClosure closure, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (closure == PinClosure.Approved)
        {
            metrics.VerifiedAfter(pin.ApplicationId, pin.Kind, pin.Destination, now - pin.CreatedAt);
        }

        await events.PublishAsync(new OpenTfaEvent(closure == PinClosure.Approved ? EventTypes.PinVerified : EventTypes.PinCanceled, pin.TenantId, pin.ApplicationId, now,
            EventData.ForPin(pin.Id, pin.Kind, pin.Destination) with
            {
                AttemptsRemaining = pin.AttemptsRemaining,
                CreatedAt = pin.CreatedAt.ToUnixTimeMilliseconds(),
                VerifiedAt = pin.VerifiedAt?.ToUnixTimeMilliseconds(),
            }), cancellationToken);
    }
}
