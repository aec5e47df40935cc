using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;

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

/// <summary>Send, resend and verify: the rules around a PIN's life. Each request is one atomic store step.</summary>
public sealed class PinService(
    IApplicationStore applications,
    IPinStore pins,
    SecretProtector protector,
    OutboxSignal outbox,
    IOptions<PinOptions> options,
    TimeProvider time,
    IEmailBodyStore? emailBodies = null,
    ProtectionService? protection = null,
    IEventSink? events = null,
    OpenTfaMetrics? metrics = null,
    ChannelRouter? router = null,
    SenderService? senders = null)
{
    private readonly PinOptions _options = options.Value;

    public async Task<Result<SendPinOutcome>> SendAsync(string tenantId, SendPinCommand command, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin send", command.ApplicationId);
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

        if (NoChannel(command.Kind, application.Id) is { } noChannel)
        {
            return noChannel;
        }

        bool nist = protection is not null && (await protection.GetEffectiveAsync(tenantId, application.Id, cancellationToken)).Nist;
        if (nist)
        {
            application = application with { Settings = NistMode.Clamp(application.Settings) };
        }

        MessageTemplate? template = await applications.GetTemplateAsync(tenantId, application.Id, command.MessageId!, cancellationToken);
        TemplateKind wanted = command.Kind == ChannelKind.Email ? TemplateKind.Email : TemplateKind.Text;
        if (template is null || template.Kind != wanted)
        {
            return TfaError.Field("messageId", wanted == TemplateKind.Email
                ? "no e-mail template with this id in the application"
                : "no SMS/voice message template with this id in the application");
        }

        Result<string?> from = await ResolveFromAsync(tenantId, command.Kind, command.From, template, cancellationToken);
        if (!from.IsSuccess)
        {
            return from.Error;
        }

        IReadOnlyList<LimitCheck> caps = [];
        if (protection is not null && command.Kind != ChannelKind.Email)
        {
            ProtectionDecision decision = await protection.CheckSendAsync(tenantId, application.Id, destination!, command.Kind, cancellationToken);
            if (decision.Refusal is { } refused)
            {
                if (events is not null)
                {
                    await events.PublishAsync(OpenTfaEvents.RuleRefused(tenantId, application.Id, refused.Rule, "send", command.Kind, destination!, time.GetUtcNow()), cancellationToken);
                }

                return new TfaError(ErrorKind.Forbidden, $"{refused.Text} (protection rule '{refused.Rule}')");
            }

            caps = decision.Caps;
        }

        NumberCheck? check = command.Kind == ChannelKind.Sms && command.NumberCheckNeeded ? Destinations.Check(destination!) : null;
        bool sendable = check != NumberCheck.NotReachable;

        if (nist)
        {
            template = NistMode.Clamp(template);
        }

        // Test numbers are the one documented exception to random PINs; their messages never leave OpenTfa.
        string? testPin = protection is not null && command.Kind != ChannelKind.Email
            ? await protection.TestPinAsync(tenantId, application.Id, destination!, cancellationToken)
            : null;
        string pinValue = testPin ?? PinGenerator.Generate(template.PinType, template.PinLength);
        string pinId = Ids.New();
        DateTimeOffset now = time.GetUtcNow();
        OutboxMessage? message = null;
        if (sendable)
        {
            Result<OutboxMessage> built = await BuildMessageAsync(pinId, tenantId, application.Id, command.Kind, destination!, from.Value, template, pinValue, command.Placeholders, now, now + application.Settings.PinTtl, cancellationToken, testNumber: testPin is not null);
            if (!built.IsSuccess)
            {
                return built.Error;
            }

            message = built.Value;
        }

        var pin = new PinRecord(pinId, tenantId, application.Id, template.Id, command.Kind, destination!, protector.Seal(pinId, pinValue),
            now, now + application.Settings.PinTtl, application.Settings.PinAttempts, sendable,
            PlaceholdersJson: command.Placeholders is null ? null : JsonSerializer.Serialize(command.Placeholders, CoreJsonContext.Default.IReadOnlyDictionaryStringString),
            From: from.Value);
        LimitRefusal? refusal = await pins.IssuePinAsync(pin, message, [.. SendLimits(application, destination!), .. caps], now, cancellationToken);
        if (refusal is not null)
        {
            if (protection is not null && caps.Contains(refusal.Check))
            {
                await protection.RecordCapRefusalAsync(tenantId, application.Id, refusal.Check, destination!, cancellationToken);
                if (events is not null)
                {
                    await events.PublishAsync(OpenTfaEvents.RuleRefused(tenantId, application.Id, refusal.Check.Setting, "send", command.Kind, destination!, now), cancellationToken);
                }
            }
            else
            {
                metrics?.Refused(application.Id, "limit", refusal.Check.Setting);
            }

            return TooMany(refusal);
        }

        if (message is not null)
        {
            outbox.Notify();
        }

        activity?.SetTag("opentfa.pin_id", pinId);
        metrics?.PinSent(application.Id, command.Kind, destination!, sendable);
        if (sendable && events is not null)
        {
            await events.PublishAsync(new OpenTfaEvent(EventTypes.PinSent, tenantId, application.Id, now,
                EventData.ForPin(pinId, command.Kind, destination!) with { MessageId = message?.Id, Resend = false, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }), cancellationToken);
        }

        return new SendPinOutcome(pinId, command.To!, check, sendable);
    }

    public async Task<Result<SendPinOutcome>> ResendAsync(string tenantId, string pinId, ChannelKind kind, IReadOnlyDictionary<string, string>? placeholders, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin resend", pinId: pinId);
        var errors = new ValidationErrors();
        TextRendering.ValidatePlaceholders(placeholders, _options.MaxPlaceholderLength, errors);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        PinRecord? pin = await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        if (pin is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

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

        if (protection is not null && kind != ChannelKind.Email && await protection.LockoutAsync(tenantId, application.Id, pin.Destination, cancellationToken) is { } lockout)
        {
            await protection.RecordLockoutAsync(tenantId, application.Id, pin.Destination, lockout, cancellationToken);
            return new TfaError(ErrorKind.Forbidden, $"{lockout.Text} (protection rule 'nist')");
        }

        IReadOnlyDictionary<string, string>? values = placeholders
            ?? (pin.PlaceholdersJson is null ? null : JsonSerializer.Deserialize(pin.PlaceholdersJson, CoreJsonContext.Default.IReadOnlyDictionaryStringString));
        bool testNumber = protection is not null && kind != ChannelKind.Email && await protection.TestPinAsync(tenantId, application.Id, pin.Destination, cancellationToken) is not null;
        DateTimeOffset now = time.GetUtcNow();
        Result<string?> from = await ResolveFromAsync(tenantId, kind, kind == pin.Kind ? pin.From : null, template, cancellationToken);
        if (!from.IsSuccess)
        {
            return from.Error;
        }

        Result<OutboxMessage> built = await BuildMessageAsync(pin.Id, tenantId, application.Id, kind, pin.Destination, from.Value, template,
            protector.Open(pin.Id, pin.Pin), values, now, pin.ExpiresAt, cancellationToken, testNumber);
        if (!built.IsSuccess)
        {
            return built.Error;
        }

        ResendResult result = await pins.ResendPinAsync(new ResendOperation(tenantId, pin.Id, built.Value, SendLimits(application, pin.Destination), now), cancellationToken);
        switch (result)
        {
            case ResendResult.Resent:
                outbox.Notify();
                metrics?.PinResent(application.Id, kind, pin.Destination);
                if (events is not null)
                {
                    await events.PublishAsync(new OpenTfaEvent(EventTypes.PinSent, tenantId, application.Id, now,
                        EventData.ForPin(pin.Id, kind, pin.Destination) with { MessageId = built.Value.Id, Resend = true, ExpiresAt = pin.ExpiresAt.ToUnixTimeMilliseconds() }), cancellationToken);
                }

                return new SendPinOutcome(pin.Id, pin.Destination, null, true);
            case ResendResult.Limited limited:
                metrics?.Refused(application.Id, "limit", limited.Refusal.Check.Setting);
                return TooMany(limited.Refusal);
            case ResendResult.Refused refused:
                return new TfaError(ErrorKind.BadRequest, refused.Reason == PinError.TtlExpired
                    ? "The PIN has expired and cannot be resent; send a new one"
                    : "The PIN is already verified or out of attempts and cannot be resent; send a new one");
            default:
                return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }
    }

    public async Task<Result<VerifyPinOutcome>> VerifyAsync(string tenantId, string pinId, string? candidate, CancellationToken cancellationToken)
    {
        using System.Diagnostics.Activity? activity = OpenTfaTelemetry.StartOperation("pin verify", pinId: pinId);
        if (string.IsNullOrEmpty(candidate))
        {
            return TfaError.Field("pin", "must not be empty");
        }

        if (candidate.Length > 64)
        {
            return TfaError.Field("pin", "must be at most 64 characters");
        }

        PinRecord? pin = await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        if (pin is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        Application? application = await applications.GetApplicationAsync(tenantId, pin.ApplicationId, cancellationToken);
        if (application is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.PinNotFound);
        }

        if (!application.Enabled)
        {
            return new TfaError(ErrorKind.Forbidden, ErrorTexts.ApplicationDisabled);
        }

        int? failureCap = null;
        if (protection is not null && (await protection.GetEffectiveAsync(tenantId, application.Id, cancellationToken)).Nist)
        {
            application = application with { Settings = NistMode.Clamp(application.Settings) };
            failureCap = NistMode.MaxConsecutiveFailures;
        }

        // The PIN value never changes, so comparing it before the atomic step is safe; the
        // step itself decides against the PIN's state as it is at that moment.
        bool matches = protector.Matches(pin.Id, pin.Pin, candidate);
        LimitCheck limit = LimitKeys.VerifyPerDestination(application.Id, pin.Destination, application.Settings.VerifyPerPhoneNumber, application.Settings.VerifyPinLimit);
        DateTimeOffset now = time.GetUtcNow();
        VerifyResult result = await pins.VerifyPinAsync(
            new VerifyOperation(tenantId, pin.Id, matches, application.Settings.AllowMultiplePinVerifications, limit, now, failureCap), cancellationToken);
        await ObserveVerifyAsync(pin, result, now, cancellationToken);
        return result switch
        {
            VerifyResult.Decided d => new VerifyPinOutcome(pin.Id, pin.Destination, d.Decision.Verified, d.Decision.AttemptsRemaining, d.Decision.Error),
            VerifyResult.Limited l => TooMany(l.Refusal),
            VerifyResult.LockedOut => new VerifyPinOutcome(pin.Id, pin.Destination, false, 0, PinError.NoMorePinAttempts),
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

    /// <summary>Counts the verify and publishes the first successful one, and the wrong PIN that used up the last attempt.</summary>
    private async Task ObserveVerifyAsync(PinRecord pin, VerifyResult result, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (result is VerifyResult.Limited limited)
        {
            metrics?.Refused(pin.ApplicationId, "limit", limited.Refusal.Check.Setting);
            return;
        }

        if (result is VerifyResult.LockedOut locked)
        {
            await protection!.RecordLockoutAsync(pin.TenantId, pin.ApplicationId, pin.Destination, ProtectionService.LockoutHit(locked.Failures), cancellationToken);
            if (events is not null)
            {
                await events.PublishAsync(OpenTfaEvents.RuleRefused(pin.TenantId, pin.ApplicationId, "nist", "verify", pin.Kind, pin.Destination, now, pin.Id), cancellationToken);
            }

            return;
        }

        if (result is not VerifyResult.Decided { Decision: var decision } decided)
        {
            return;
        }

        metrics?.Verification(pin.ApplicationId, pin.Kind, pin.Destination, decision.Error);
        string? type = null;
        if (decision.Verified && decided.Pin.VerifiedAt == now)
        {
            metrics?.VerifiedAfter(pin.ApplicationId, pin.Kind, pin.Destination, now - pin.CreatedAt);
            type = EventTypes.PinVerified;
        }
        else if (decision.Error == PinError.WrongPin && decision.AttemptsRemaining == 0)
        {
            type = EventTypes.PinAttemptsExhausted;
        }

        if (type is not null && events is not null)
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

    /// <summary>
    /// The refusal of a send or resend that no channel could carry, checked before anything is
    /// stored or counted: without it the message would wait in the outbox until the PIN expired.
    /// </summary>
    private TfaError? NoChannel(ChannelKind kind, string applicationId) =>
        router is null || router.CanCarry(kind, applicationId)
            ? null
            : new TfaError(ErrorKind.BadRequest, ErrorTexts.NoChannel(kind switch { ChannelKind.Sms => "SMS", ChannelKind.Voice => "voice", _ => "e-mail" }));

    private static TfaError TooMany(LimitRefusal refusal) =>
        new(ErrorKind.TooManyRequests, refusal.Check.Setting.StartsWith("caps.", StringComparison.Ordinal)
            ? $"Too many requests: protection rule '{refusal.Check.Setting}' caps sends at {refusal.Check.Text}"
            : ErrorTexts.LimitExceeded(refusal.Check.Setting, refusal.Check.Text), RetryAfter: refusal.RetryAfter);

    private static IReadOnlyList<LimitCheck> SendLimits(Application application, string destination) =>
    [
        LimitKeys.SendPerApplication(application.Id, application.Settings.SendPerApplication, application.Settings.SendPinPerApplicationLimit),
        LimitKeys.SendPerDestination(application.Id, destination, application.Settings.SendPerPhoneNumber, application.Settings.SendPinPerPhoneNumberLimit),
    ];

    private async Task<Result<OutboxMessage>> BuildMessageAsync(
        string pinId, string tenantId, string applicationId, ChannelKind kind, string destination, string? from,
        MessageTemplate template, string pinValue, IReadOnlyDictionary<string, string>? placeholders, DateTimeOffset now, DateTimeOffset expiresAt,
        CancellationToken cancellationToken, bool testNumber = false)
    {
        var errors = new ValidationErrors();
        MessageContent? content = kind == ChannelKind.Email
            ? await RenderEmailAsync(tenantId, template, pinValue, placeholders, errors, cancellationToken)
            : RenderText(template, kind, pinValue, placeholders, errors);
        if (content is null)
        {
            return TfaError.Validation(errors);
        }

        content = content with { TestNumber = testNumber };

        string messageId = Ids.New();
        string body = JsonSerializer.Serialize(content, CoreJsonContext.Default.MessageContent);
        return new OutboxMessage(messageId, pinId, tenantId, applicationId, kind, destination, from, protector.Seal(messageId, body), now, expiresAt,
            TraceParent: OpenTfaTelemetry.CurrentTraceParent());
    }

    private MessageContent? RenderText(MessageTemplate template, ChannelKind kind, string pin, IReadOnlyDictionary<string, string>? placeholders, ValidationErrors errors)
    {
        string? text = TextRendering.Render(template.MessageText ?? TextRendering.PinPlaceholder, pin, placeholders, errors);
        if (text is null)
        {
            return null;
        }

        int segments = SmsSegments.Count(text);
        if (kind == ChannelKind.Sms && segments > _options.MaxSmsSegments)
        {
            errors.Add("placeholders", $"the message would take {SmsSegments.Describe(segments)}; at most {_options.MaxSmsSegments} are allowed");
            return null;
        }

        return new MessageContent(text, Language: template.Language, VoiceName: template.VoiceName, SpeechRate: template.SpeechRate, RepeatDtmf: template.RepeatDtmf);
    }

    /// <summary>The template's e-mail body, or the built-in one when the template names none that exists.</summary>
    private async Task<MessageContent?> RenderEmailAsync(string tenantId, MessageTemplate template, string pin, IReadOnlyDictionary<string, string>? placeholders, ValidationErrors errors, CancellationToken cancellationToken)
    {
        EmailBody? body = emailBodies is not null && template.EmailTemplateId is { } id ? await emailBodies.GetEmailBodyAsync(tenantId, id, cancellationToken) : null;
        return body is null
            ? EmailBodyService.Render(_options.DefaultEmailSubject, _options.DefaultEmailText, null, pin, placeholders, errors)
            : EmailBodyService.Render(body.Subject, body.Text, body.Html, pin, placeholders, errors);
    }

    private async Task<Result<string?>> ResolveFromAsync(string tenantId, ChannelKind kind, string? requested, MessageTemplate template, CancellationToken cancellationToken) =>
        SenderRules.Resolve(kind, requested, template, senders is null ? null : await senders.GetAsync(tenantId, cancellationToken), _options);

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
