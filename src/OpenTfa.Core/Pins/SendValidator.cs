using Microsoft.Extensions.Options;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Pins;

/// <summary>
/// A send that passed every check. <see cref="Application"/> and <see cref="Template"/> are as
/// the protection policy makes them (clamped in NIST mode); <see cref="Destination"/> is canonical.
/// </summary>
/// <param name="Caps">The protection caps to count atomically with the send.</param>
/// <param name="TestPin">The fixed PIN of a test number, whose messages never leave OpenTfa; null for a real destination.</param>
/// <param name="ChosenPin">A PIN the caller chose (a Twilio service's custom code), sent like a drawn one; null to draw one.</param>
/// <param name="Workflow">The application's workflow as it applies to this destination; its first step is <see cref="Kind"/>.</param>
public sealed record ValidatedSend(
    string TenantId,
    ChannelKind Kind,
    Application Application,
    MessageTemplate Template,
    string Destination,
    string? From,
    IReadOnlyDictionary<string, string>? Placeholders,
    IReadOnlyList<LimitCheck> Caps,
    NumberCheck? NumberCheck,
    string? TestPin,
    string? ChosenPin = null,
    Workflows.Workflow? Workflow = null)
{
    /// <summary>A number the numbering plan says cannot exist gets a PIN but no message.</summary>
    public bool Sendable => NumberCheck != Numbers.NumberCheck.NotReachable;
}

/// <summary>A resend (or workflow step) that passed every check: the PIN as stored, and how its message goes out this time.</summary>
/// <param name="Caps">For a workflow step, the protection caps to count atomically with it; a resend has none.</param>
public sealed record ValidatedResend(
    PinRecord Pin,
    ChannelKind Kind,
    Application Application,
    MessageTemplate Template,
    string? From,
    IReadOnlyDictionary<string, string>? Placeholders,
    bool TestNumber,
    IReadOnlyList<LimitCheck>? Caps = null);

/// <summary>
/// The first stage of a send or resend: the input, the application and its template, a channel
/// that can carry the kind, the sender, and the protection rules. Checks run in the order their
/// errors take precedence; protection hits are recorded, and an enforced refusal is published as
/// <c>rule.refused</c>. No PIN is stored and no limit counted here: that is the store step's.
/// </summary>
public sealed class SendValidator(
    IApplicationStore applications,
    IPinStore pins,
    ProtectionService protection,
    SenderService senders,
    ChannelRouter router,
    IEventSink events,
    IOptions<PinOptions> options,
    TimeProvider time)
{
    private readonly PinOptions _options = options.Value;

    public async Task<Result<ValidatedSend>> ValidateSendAsync(string tenantId, SendPinCommand command, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        Require(command.ApplicationId, "applicationId", errors);
        Require(command.MessageId, "messageId", errors);
        string? destination = CanonicalDestination(command.Kind, command.To, errors);
        TextRendering.ValidatePlaceholders(command.Placeholders, _options.MaxPlaceholderLength, errors);
        if (command.From is not null)
        {
            ValidateFrom(command.Kind, command.From, errors);
        }

        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        Application? application = await applications.GetApplicationAsync(tenantId, command.ApplicationId!, cancellationToken);
        if (application is null)
        {
            return TfaError.Field("applicationId", "no application with this id");
        }

        if (!application.Enabled)
        {
            return new TfaError(ErrorKind.Forbidden, ErrorTexts.ApplicationDisabled);
        }

        // With a workflow, its first step that can reach this destination decides the kind.
        Workflows.Workflow? plan = application.Workflow?.For(email: command.Kind == ChannelKind.Email);
        ChannelKind kind = plan?.Steps[0].Kind ?? command.Kind;
        if (NoChannel(kind, application.Id) is { } noChannel)
        {
            return noChannel;
        }

        bool nist = (await protection.GetEffectiveAsync(tenantId, application.Id, cancellationToken)).Nist;
        if (nist)
        {
            application = application with { Settings = NistMode.Clamp(application.Settings) };
        }

        MessageTemplate? template = await applications.GetTemplateAsync(tenantId, application.Id, command.MessageId!, cancellationToken);
        TemplateKind wanted = kind == ChannelKind.Email ? TemplateKind.Email : TemplateKind.Text;
        if (template is null || template.Kind != wanted)
        {
            return TfaError.Field("messageId", wanted == TemplateKind.Email
                ? "no e-mail template with this id in the application"
                : "no SMS/voice message template with this id in the application");
        }

        Result<string?> from = await ResolveFromAsync(tenantId, kind, command.From, template, cancellationToken);
        if (!from.IsSuccess)
        {
            return from.Error;
        }

        // E-mail addresses are outside the destination rules, the caps and the test numbers.
        IReadOnlyList<LimitCheck> caps = [];
        string? testPin = null;
        if (kind != ChannelKind.Email)
        {
            ProtectionDecision decision = await protection.CheckSendAsync(tenantId, application.Id, destination!, kind, cancellationToken);
            if (decision.Refusal is { } refused)
            {
                await events.PublishAsync(OpenTfaEvents.RuleRefused(tenantId, application.Id, refused.Rule, "send", kind, destination!, time.GetUtcNow()), cancellationToken);
                return new TfaError(ErrorKind.Forbidden, $"{refused.Text} (protection rule '{refused.Rule}')");
            }

            caps = decision.Caps;
            testPin = await protection.TestPinAsync(tenantId, application.Id, destination!, cancellationToken);
        }

        // The number check belongs to the SMS endpoint's request, whichever channel a workflow starts with.
        NumberCheck? check = command.Kind == ChannelKind.Sms && command.NumberCheckNeeded ? Destinations.Check(destination!) : null;
        return new ValidatedSend(tenantId, kind, application, nist ? NistMode.Clamp(template) : template, destination!, from.Value,
            command.Placeholders, caps, check, testPin, Workflow: plan);
    }

    /// <summary>
    /// The checks of a resend: the PIN exists and the new kind may carry it (an e-mail PIN only
    /// by e-mail), its application is enabled and has a channel, and NIST mode has not locked its
    /// destination out. Whether the PIN itself can still be resent is the store step's decision.
    /// </summary>
    public async Task<Result<ValidatedResend>> ValidateResendAsync(string tenantId, string pinId, ChannelKind kind, IReadOnlyDictionary<string, string>? placeholders, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        TextRendering.ValidatePlaceholders(placeholders, _options.MaxPlaceholderLength, errors);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        PinRecord? pin = await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        return pin is null
            ? new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound)
            : await ValidateResendOfAsync(pin, kind, placeholders, cancellationToken);
    }

    /// <summary>The checks of <see cref="ValidateResendAsync"/> on a PIN the caller has already read.</summary>
    private async Task<Result<ValidatedResend>> ValidateResendOfAsync(PinRecord pin, ChannelKind kind, IReadOnlyDictionary<string, string>? placeholders, CancellationToken cancellationToken)
    {
        string tenantId = pin.TenantId;
        if ((pin.Kind == ChannelKind.Email) != (kind == ChannelKind.Email))
        {
            return new TfaError(ErrorKind.BadRequest, pin.Kind == ChannelKind.Email
                ? "This PIN was sent by e-mail and can only be resent by e-mail"
                : "This PIN was sent to a phone number and can be resent by SMS or voice, not by e-mail");
        }

        Application? application = await applications.GetApplicationAsync(tenantId, pin.ApplicationId, cancellationToken);
        MessageTemplate? template = await applications.GetTemplateAsync(tenantId, pin.ApplicationId, pin.TemplateId, cancellationToken);
        if (application is null || template is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        if (!application.Enabled)
        {
            return new TfaError(ErrorKind.Forbidden, ErrorTexts.ApplicationDisabled);
        }

        if (NoChannel(kind, application.Id) is { } noChannel)
        {
            return noChannel;
        }

        bool testNumber = false;
        if (kind != ChannelKind.Email)
        {
            if (await protection.LockoutAsync(tenantId, application.Id, pin.Destination, cancellationToken) is { } lockout)
            {
                await protection.RecordLockoutAsync(tenantId, application.Id, pin.Destination, lockout, cancellationToken);
                return new TfaError(ErrorKind.Forbidden, $"{lockout.Text} (protection rule 'nist')");
            }

            testNumber = await protection.TestPinAsync(tenantId, application.Id, pin.Destination, cancellationToken) is not null;
        }

        Result<string?> from = await ResolveFromAsync(tenantId, kind, kind == pin.Kind ? pin.From : null, template, cancellationToken);
        if (!from.IsSuccess)
        {
            return from.Error;
        }

        return new ValidatedResend(pin, kind, application, template, from.Value, placeholders, testNumber);
    }

    /// <summary>
    /// The checks of a later workflow step: those of a resend on the step's kind, then the
    /// protection rules a send of that kind meets (destination rules per channel, caps). A
    /// refusal here skips the step; an enforced rule is published as <c>rule.refused</c>.
    /// </summary>
    public async Task<Result<ValidatedResend>> ValidateStepAsync(PinRecord pin, ChannelKind kind, CancellationToken cancellationToken)
    {
        Result<ValidatedResend> validated = await ValidateResendOfAsync(pin, kind, null, cancellationToken);
        if (!validated.IsSuccess || validated.Value.TestNumber)
        {
            return validated;
        }

        ProtectionDecision decision = await protection.CheckSendAsync(pin.TenantId, pin.ApplicationId, pin.Destination, kind, cancellationToken);
        if (decision.Refusal is { } refused)
        {
            await events.PublishAsync(OpenTfaEvents.RuleRefused(pin.TenantId, pin.ApplicationId, refused.Rule, "step", kind, pin.Destination, time.GetUtcNow(), pin.Id), cancellationToken);
            return new TfaError(ErrorKind.Forbidden, $"{refused.Text} (protection rule '{refused.Rule}')");
        }

        return validated.Value with { Caps = decision.Caps };
    }

    /// <summary>
    /// The refusal of a send or resend that no channel could carry, checked before anything is
    /// stored or counted: without it the message would wait in the outbox until the PIN expired.
    /// </summary>
    private TfaError? NoChannel(ChannelKind kind, string applicationId) =>
        router.CanCarry(kind, applicationId)
            ? null
            : new TfaError(ErrorKind.BadRequest, ErrorTexts.NoChannel(ChannelKinds.Describe(kind)));

    private async Task<Result<string?>> ResolveFromAsync(string tenantId, ChannelKind kind, string? requested, MessageTemplate template, CancellationToken cancellationToken) =>
        SenderRules.Resolve(kind, requested, template, await senders.GetAsync(tenantId, cancellationToken), _options);

    private static void ValidateFrom(ChannelKind kind, string from, ValidationErrors errors)
    {
        if (kind == ChannelKind.Email)
        {
            if (from.AsSpan().IndexOfAny('\r', '\n') >= 0 || !System.Net.Mail.MailAddress.TryCreate(from, out _))
            {
                errors.Add("from", "must be an e-mail address such as company@example.com");
            }
        }
        else if (Senders.Validate(from) is { } error)
        {
            errors.Add("from", error);
        }
    }

    private static void Require(string? value, string field, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(field, "must not be empty");
        }
    }

    private static string? CanonicalDestination(ChannelKind kind, string? to, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(to))
        {
            errors.Add("to", "must not be empty");
            return null;
        }

        if (kind == ChannelKind.Email)
        {
            string? email = Destinations.CanonicalEmail(to);
            if (email is null)
            {
                errors.Add("to", "must be one e-mail address");
            }

            return email;
        }

        string? phone = Destinations.CanonicalPhone(to);
        if (phone is null)
        {
            errors.Add("to", "must be a phone number in international format, e.g. 41793026727");
        }

        return phone;
    }
}
