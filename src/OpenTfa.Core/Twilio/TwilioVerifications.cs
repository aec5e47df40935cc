using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Twilio;

public enum VerificationStatus
{
    Pending,
    Approved,
    Canceled,
    MaxAttemptsReached,
    Expired,
    Failed,
}

/// <summary>A verification start as Twilio's API names its parameters; null means not given.</summary>
public sealed record StartVerificationCommand(
    string? To,
    string? Channel,
    string? Locale = null,
    string? CustomFriendlyName = null,
    string? CustomCode = null,
    string? SendDigits = null,
    string? AppHash = null,
    IReadOnlyDictionary<string, string>? RateLimits = null,
    string? Amount = null,
    string? Payee = null,
    IReadOnlyDictionary<string, string>? Substitutions = null);

public sealed record CheckVerificationCommand(string? To, string? VerificationSid, string? Code, string? Amount = null, string? Payee = null);

/// <summary>A verification as the Twilio surface shows it: the PIN, its status, its send attempts (messages) and what the start recorded.</summary>
/// <param name="LineType">The number's type when the service has lookup on (<c>mobile</c>, <c>landline</c>, <c>voip</c>), else null.</param>
public sealed record Verification(
    PinRecord Pin,
    VerificationStatus Status,
    IReadOnlyList<MessageStatus> Attempts,
    IReadOnlyDictionary<string, string> Recorded,
    bool Lookup,
    string? LineType)
{
    public string? Amount => Recorded.GetValueOrDefault(TwilioVerifications.AmountKey);

    public string? Payee => Recorded.GetValueOrDefault(TwilioVerifications.PayeeKey);
}

/// <summary>
/// Twilio's verification semantics on the OpenTfa engine. A verification is a PIN; a new start
/// to a number with a pending verification sends that same code again (at most
/// <see cref="MaxSendsPerVerification"/> sends), decided in one store step so that concurrent
/// starts can never leave two pending codes; checks are OpenTfa verifies, with their exact
/// attempt counting; approved, canceled and expired verifications are gone (404), as on Twilio.
/// Every send goes through the same validation, protection, limits, outbox and events as an
/// Infobip send.
/// </summary>
public sealed class TwilioVerifications(
    TwilioServices services,
    TwilioRateLimits rateLimits,
    IPinStore pins,
    IOutboxStore outbox,
    SendValidator sendValidator,
    PinMessageBuilder builder,
    PinService pinService,
    PinEvents events,
    OutboxSignal signal,
    ChannelRouter router,
    TimeProvider time)
{
    public const int MaxSendsPerVerification = 5;
    public const string FriendlyNameKey = "friendlyName";
    public const string AmountKey = "amount";
    public const string PayeeKey = "payee";
    public const string AppHashKey = "appHash";
    public const int MaxTextParameterLength = 64;

    /// <summary>How often a start reads the pending PIN again when another start changed it in between.</summary>
    private const int StartRounds = 4;

    public async Task<Result<Verification>> StartAsync(string tenantId, string applicationId, StartVerificationCommand command, CancellationToken cancellationToken)
    {
        TwilioService? found = await services.GetAsync(tenantId, applicationId, cancellationToken);
        if (found is null)
        {
            return ServiceNotFound(applicationId);
        }

        (Application application, TwilioServiceSettings settings) = await services.WithTemplatesAsync(found, cancellationToken);
        Result<ChannelKind> kind = ParseChannel(command.Channel);
        if (!kind.IsSuccess)
        {
            return kind.Error;
        }

        if (Validate(command, settings, kind.Value) is { } invalid)
        {
            return invalid;
        }

        if (kind.Value == ChannelKind.WhatsApp && !router.CanCarry(kind.Value, applicationId))
        {
            return new TfaError(ErrorKind.BadRequest, "Delivery channel disabled: whatsapp has no channel on this server", Code: TwilioErrors.ChannelDisabled);
        }

        Result<IReadOnlyList<LimitCheck>> buckets = await rateLimits.ChecksAsync(tenantId, applicationId, command.RateLimits, cancellationToken);
        if (!buckets.IsSuccess)
        {
            return buckets.Error;
        }

        var recorded = new Dictionary<string, string>(command.Substitutions ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [FriendlyNameKey] = command.CustomFriendlyName ?? application.Name,
        };
        AddIfGiven(recorded, AmountKey, command.Amount);
        AddIfGiven(recorded, PayeeKey, command.Payee);
        AddIfGiven(recorded, AppHashKey, command.AppHash);

        string templateId = kind.Value == ChannelKind.Email ? settings.EmailTemplateId! : settings.TextTemplateId!;
        Result<ValidatedSend> validated = await sendValidator.ValidateSendAsync(tenantId,
            new SendPinCommand(kind.Value, applicationId, templateId, command.To, null, recorded, NumberCheckNeeded: false), cancellationToken);
        if (!validated.IsSuccess)
        {
            return AsTwilio(validated.Error);
        }

        ValidatedSend send = validated.Value;
        string? lineType = kind.Value == ChannelKind.Email ? null : LineType(send.Destination);
        if (kind.Value != ChannelKind.Email && Destinations.Check(send.Destination) == NumberCheck.NotReachable)
        {
            return TwilioErrors.Invalid("To", "is not a valid phone number");
        }

        if (kind.Value == ChannelKind.Sms && settings.SkipSmsToLandlines && lineType == "landline")
        {
            return new TfaError(ErrorKind.BadRequest, "SMS is not supported by landline phone number", Code: TwilioErrors.LandlineNotSupported);
        }

        MessageTemplate template = send.Template;
        if (kind.Value != ChannelKind.Email)
        {
            template = template with
            {
                MessageText = VerificationTexts.Template(command.Locale, command.Amount is not null, settings.DoNotShareWarningEnabled, command.AppHash is not null),
                Language = VerificationTexts.Language(command.Locale),
                VoiceName = settings.TtsName ?? template.VoiceName,
            };
        }

        send = send with { Template = template, ChosenPin = command.CustomCode };
        IReadOnlyList<LimitCheck> limits = [.. PinService.SendLimits(application, send.Destination), .. send.Caps, .. buckets.Value];
        for (int round = 0; round < StartRounds; round++)
        {
            DateTimeOffset now = time.GetUtcNow();
            PinRecord? pending = await pins.FindPendingPinAsync(tenantId, applicationId, send.Destination, now, cancellationToken);
            if (pending is not null && TransactionDiffers(pending, command) is { } differs)
            {
                return differs;
            }

            Result<NewPin> fresh = await builder.BuildSendAsync(send, now, cancellationToken);
            if (!fresh.IsSuccess)
            {
                return AsTwilio(fresh.Error);
            }

            ValidatedResend? resend = pending is null ? null : new ValidatedResend(pending, kind.Value, application, template, send.From, recorded, send.TestPin is not null);
            OutboxMessage? reuse = null;
            if (resend is not null)
            {
                Result<OutboxMessage> built = await builder.BuildResendAsync(resend, now, cancellationToken);
                if (!built.IsSuccess)
                {
                    return AsTwilio(built.Error);
                }

                reuse = built.Value;
            }

            StartVerificationResult result = await pins.StartVerificationAsync(
                new StartVerificationOperation(tenantId, applicationId, send.Destination, fresh.Value, pending?.Id, reuse, limits, MaxSendsPerVerification, now), cancellationToken);
            switch (result)
            {
                case StartVerificationResult.Issued:
                    signal.Notify();
                    await events.SentAsync(fresh.Value, cancellationToken);
                    return await ViewAsync(fresh.Value.Pin, settings, lineType, cancellationToken);
                case StartVerificationResult.Reused:
                    signal.Notify();
                    await events.ResentAsync(resend!, reuse!, now, cancellationToken);
                    return await ViewAsync(pending!, settings, lineType, cancellationToken);
                case StartVerificationResult.Limited limited:
                    events.Limited(applicationId, limited.Refusal);
                    return TooMany(limited.Refusal);
                case StartVerificationResult.MaxSendsReached:
                    return TwilioErrors.TooMany(TwilioErrors.MaxSendAttempts, "Max send attempts reached", pending!.ExpiresAt - now);
            }
        }

        return TwilioErrors.TooMany(TwilioErrors.ConcurrentRequests, "Too many concurrent requests for phone number", TimeSpan.FromSeconds(1));
    }

    /// <summary>A verification of the service that still exists: pending, out of check attempts, or failed; the others are deleted, as on Twilio.</summary>
    public async Task<Result<Verification>> FetchAsync(string tenantId, string applicationId, string pinId, CancellationToken cancellationToken)
    {
        Result<(PinRecord Pin, TwilioService Service)> found = await FindAsync(tenantId, applicationId, pinId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        Verification view = await ViewAsync(found.Value.Pin, found.Value.Service.Settings, null, cancellationToken);
        return IsGone(view.Status) ? VerificationNotFound(applicationId, pinId) : view;
    }

    /// <summary>Cancels or approves a pending verification (<c>Status=canceled|approved</c>).</summary>
    public async Task<Result<Verification>> UpdateAsync(string tenantId, string applicationId, string pinId, string? status, CancellationToken cancellationToken)
    {
        PinClosure closure;
        switch (status)
        {
            case "canceled":
                closure = PinClosure.Canceled;
                break;
            case "approved":
                closure = PinClosure.Approved;
                break;
            case null or "":
                return TwilioErrors.Missing("Status");
            default:
                return TwilioErrors.Invalid("Status", "must be canceled or approved");
        }

        Result<(PinRecord Pin, TwilioService Service)> found = await FindAsync(tenantId, applicationId, pinId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        DateTimeOffset now = time.GetUtcNow();
        if (await pins.ClosePinAsync(tenantId, found.Value.Pin.Id, closure, now, cancellationToken) is not CloseResult.Closed closed)
        {
            return VerificationNotFound(applicationId, pinId);
        }

        await events.ClosedAsync(closed.Pin, closure, now, cancellationToken);
        return await ViewAsync(closed.Pin, found.Value.Service.Settings, null, cancellationToken);
    }

    /// <summary>
    /// Checks a code against the verification named by <c>VerificationSid</c>, or the newest one
    /// to <c>To</c>: an OpenTfa verify, so each wrong code spends one of the attempts atomically.
    /// </summary>
    public async Task<Result<Verification>> CheckAsync(string tenantId, string applicationId, CheckVerificationCommand command, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(command.Code))
        {
            return TwilioErrors.Missing("Code");
        }

        if (command.Code.Length is < TwilioServiceSettings.MinCodeLength or > TwilioServiceSettings.MaxCodeLength || !command.Code.All(char.IsAsciiLetterOrDigit))
        {
            return TwilioErrors.Invalid("Code", $"must be {TwilioServiceSettings.MinCodeLength} to {TwilioServiceSettings.MaxCodeLength} letters or digits");
        }

        if ((command.To is null) == (command.VerificationSid is null))
        {
            return TwilioErrors.Invalid(command.To is null ? "To" : "VerificationSid", "give exactly one of To and VerificationSid");
        }

        TwilioService? service = await services.GetAsync(tenantId, applicationId, cancellationToken);
        if (service is null)
        {
            return ServiceNotFound(applicationId);
        }

        PinRecord? pin;
        if (command.VerificationSid is not null)
        {
            string? pinId = TwilioSids.IdOf(TwilioSids.VerificationPrefix, command.VerificationSid);
            pin = pinId is null ? null : await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        }
        else
        {
            string? destination = command.To!.Contains('@', StringComparison.Ordinal) ? Destinations.CanonicalEmail(command.To) : Destinations.CanonicalPhone(command.To);
            if (destination is null)
            {
                return TwilioErrors.Invalid("To", "must be a phone number in E.164 format or an e-mail address");
            }

            pin = await pins.FindNewestPinAsync(tenantId, applicationId, destination, cancellationToken);
        }

        if (pin is null || pin.ApplicationId != applicationId)
        {
            return CheckNotFound(applicationId);
        }

        Verification before = await ViewAsync(pin, service.Settings, null, cancellationToken);
        if (before.Status == VerificationStatus.MaxAttemptsReached)
        {
            return MaxCheckAttempts(pin);
        }

        if (IsGone(before.Status) || before.Status == VerificationStatus.Failed)
        {
            return CheckNotFound(applicationId);
        }

        if (!string.Equals(command.Amount, before.Amount, StringComparison.Ordinal) || !string.Equals(command.Payee, before.Payee, StringComparison.Ordinal))
        {
            // PSD2 dynamic linking: a code approves only the transaction it was sent for.
            return TwilioErrors.Invalid(command.Amount != before.Amount ? "Amount" : "Payee", "does not match the verification's");
        }

        Result<VerifyPinOutcome> outcome = await pinService.VerifyAsync(tenantId, pin.Id, command.Code, cancellationToken);
        if (!outcome.IsSuccess)
        {
            return outcome.Error.Kind == ErrorKind.NotFound ? CheckNotFound(applicationId) : AsTwilio(outcome.Error);
        }

        switch (outcome.Value.Error)
        {
            case PinError.TtlExpired:
                return CheckNotFound(applicationId);
            case PinError.NoMorePinAttempts when !outcome.Value.Verified:
                // Also the answer when another request approved or canceled the verification after
                // this check read it: that one is gone (404), only a used-up one answers 60202.
                PinRecord? current = await pins.GetPinAsync(tenantId, pin.Id, cancellationToken);
                return current is null || current.VerifiedAt is not null || current.CanceledAt is not null ? CheckNotFound(applicationId) : MaxCheckAttempts(pin);
        }

        // The answer shows the verification as this check left it (the store step's decision), not
        // as a later read would find it after racing checks.
        // A check sends nothing, so the messages read before it are still the verification's.
        PinRecord after = pin with
        {
            AttemptsRemaining = outcome.Value.AttemptsRemaining,
            VerifiedAt = outcome.Value.Verified ? pin.VerifiedAt ?? time.GetUtcNow() : pin.VerifiedAt,
        };
        return before with { Pin = after, Status = StatusOf(after, before.Attempts, time.GetUtcNow()) };
    }

    public static VerificationStatus StatusOf(PinRecord pin, IReadOnlyList<MessageStatus> attempts, DateTimeOffset now) =>
        pin.VerifiedAt is not null ? VerificationStatus.Approved
        : pin.CanceledAt is not null ? VerificationStatus.Canceled
        : pin.AttemptsRemaining <= 0 || pin.Consumed ? (now < pin.ExpiresAt ? VerificationStatus.MaxAttemptsReached : VerificationStatus.Expired)
        : now >= pin.ExpiresAt ? VerificationStatus.Expired
        : !pin.Sent || (attempts.Count > 0 && attempts.All(a => a.State == MessageState.Failed)) ? VerificationStatus.Failed
        : VerificationStatus.Pending;

    /// <summary>
    /// PSD2 dynamic linking: a pending code stands for one amount and payee, so a new start to the
    /// number naming another transaction is refused instead of sending that code for it.
    /// </summary>
    private static TfaError? TransactionDiffers(PinRecord pending, StartVerificationCommand command)
    {
        IReadOnlyDictionary<string, string> recorded = Recorded(pending);
        return recorded.GetValueOrDefault(AmountKey) != command.Amount || recorded.GetValueOrDefault(PayeeKey) != command.Payee
            ? TwilioErrors.Invalid(command.Amount != recorded.GetValueOrDefault(AmountKey) ? "Amount" : "Payee",
                "differs from the pending verification's for this number; cancel it (Status=canceled) before starting one for another transaction")
            : null;
    }

    private static IReadOnlyDictionary<string, string> Recorded(PinRecord pin) => pin.Placeholders() ?? new Dictionary<string, string>();

    private static bool IsGone(VerificationStatus status) =>
        status is VerificationStatus.Approved or VerificationStatus.Canceled or VerificationStatus.Expired;

    private async Task<Verification> ViewAsync(PinRecord pin, TwilioServiceSettings settings, string? lineType, CancellationToken cancellationToken)
    {
        IReadOnlyList<MessageStatus> attempts = await outbox.ListMessagesAsync(pin.TenantId, pin.Id, cancellationToken);
        IReadOnlyDictionary<string, string> recorded = Recorded(pin);
        if (settings.LookupEnabled && pin.Kind != ChannelKind.Email)
        {
            lineType ??= LineType(pin.Destination);
        }

        return new Verification(pin, StatusOf(pin, attempts, time.GetUtcNow()), attempts, recorded, settings.LookupEnabled, settings.LookupEnabled ? lineType : null);
    }

    private async Task<Result<(PinRecord Pin, TwilioService Service)>> FindAsync(string tenantId, string applicationId, string pinId, CancellationToken cancellationToken)
    {
        TwilioService? service = await services.GetAsync(tenantId, applicationId, cancellationToken);
        if (service is null)
        {
            return ServiceNotFound(applicationId);
        }

        PinRecord? pin = await pins.GetPinAsync(tenantId, pinId, cancellationToken);
        return pin is null || pin.ApplicationId != applicationId ? VerificationNotFound(applicationId, pinId) : (pin, service);
    }

    private static Result<ChannelKind> ParseChannel(string? channel) => channel switch
    {
        "sms" => ChannelKind.Sms,
        "call" => ChannelKind.Voice,
        "email" => ChannelKind.Email,
        "whatsapp" => ChannelKind.WhatsApp,
        null or "" => TwilioErrors.Missing("Channel"),
        "sna" or "auto" or "rbm" => new TfaError(ErrorKind.BadRequest, $"Delivery channel disabled: {channel} is not available on this server (sms, call, whatsapp and email are)",
            Code: TwilioErrors.ChannelDisabled),
        _ => TwilioErrors.Invalid("Channel", "must be sms, call, whatsapp or email"),
    };

    private static TfaError? Validate(StartVerificationCommand command, TwilioServiceSettings settings, ChannelKind kind)
    {
        if (string.IsNullOrWhiteSpace(command.To))
        {
            return TwilioErrors.Missing("To");
        }

        if (command.Locale is { } locale && !VerificationTexts.IsLocale(locale))
        {
            return TwilioErrors.Invalid("Locale", "must be a language code such as en, de or pt-BR");
        }

        if (command.CustomCode is { } code)
        {
            if (!settings.CustomCodeEnabled)
            {
                return TwilioErrors.Invalid("CustomCode", "the service does not allow custom codes (CustomCodeEnabled)");
            }

            if (code.Length is < TwilioServiceSettings.MinCodeLength or > TwilioServiceSettings.MaxCodeLength || !code.All(char.IsAsciiDigit))
            {
                return TwilioErrors.Invalid("CustomCode", $"must be {TwilioServiceSettings.MinCodeLength} to {TwilioServiceSettings.MaxCodeLength} digits");
            }
        }

        if ((command.Amount is null) != (command.Payee is null) || (command.Amount is not null && !settings.Psd2Enabled))
        {
            return TwilioErrors.Invalid(command.Amount is null ? "Amount" : "Payee",
                settings.Psd2Enabled ? "Amount and Payee go together" : "the service does not have PSD2 enabled (Psd2Enabled)");
        }

        foreach ((string name, string? value) in (ReadOnlySpan<(string, string?)>)[("CustomFriendlyName", command.CustomFriendlyName), ("Amount", command.Amount), ("Payee", command.Payee)])
        {
            if (value is not null && (value.Length is 0 or > MaxTextParameterLength || value.Any(char.IsControl)))
            {
                return TwilioErrors.Invalid(name, $"must be 1 to {MaxTextParameterLength} characters without control characters");
            }
        }

        if (command.AppHash is { } hash && (hash.Length != 11 || !hash.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/')))
        {
            return TwilioErrors.Invalid("AppHash", "must be the 11-character hash of an Android app");
        }

        if (command.SendDigits is { } digits && (kind != ChannelKind.Voice || digits.Length is 0 or > 32 || !digits.All(c => char.IsAsciiDigit(c) || c is 'w' or 'W' or '#' or '*')))
        {
            return TwilioErrors.Invalid("SendDigits", "is for calls only: up to 32 of 0-9, w, # and *");
        }

        return null;
    }

    private static string? LineType(string phone) => Destinations.NumberType(phone) switch
    {
        "MOBILE" or "FIXED_LINE_OR_MOBILE" => "mobile",
        "FIXED_LINE" => "landline",
        "VOIP" => "voip",
        "TOLL_FREE" => "tollFree",
        "PREMIUM_RATE" => "premium",
        "SHARED_COST" => "sharedCost",
        "PAGER" => "pager",
        "VOICEMAIL" => "voicemail",
        "PERSONAL_NUMBER" => "personal",
        "UAN" => "uan",
        _ => null,
    };

    private static void AddIfGiven(Dictionary<string, string> values, string key, string? value)
    {
        if (value is not null)
        {
            values[key] = value;
        }
    }

    /// <summary>An engine error in Twilio's terms: a field error names the Twilio parameter it came from.</summary>
    private static TfaError AsTwilio(TfaError error)
    {
        if (error.ValidationErrors is not { Count: > 0 } fields)
        {
            return error;
        }

        (string field, string[] messages) = fields.First();
        string parameter = field switch
        {
            "to" => "To",
            "placeholders" or "placeholders.friendlyName" => "CustomFriendlyName",
            _ when field.StartsWith("placeholders.", StringComparison.Ordinal) => "ChannelConfiguration",
            _ => field,
        };
        return TwilioErrors.Invalid(parameter, string.Join(", ", messages));
    }

    private static TfaError TooMany(LimitRefusal refusal) =>
        refusal.Check.Setting == "sendPinPerPhoneNumberLimit"
            ? TwilioErrors.TooMany(TwilioErrors.MaxSendAttempts, $"Max send attempts reached: at most {refusal.Check.Text} per number (sendPinPerPhoneNumberLimit)", refusal.RetryAfter)
            : TwilioErrors.TooMany(TwilioErrors.TooManyRequests, $"Too many requests: {refusal.Check.Setting} allows {refusal.Check.Text}", refusal.RetryAfter);

    /// <summary>Retry-After is when the verification expires and a new one may start without reusing it.</summary>
    private TfaError MaxCheckAttempts(PinRecord pin) =>
        TwilioErrors.TooMany(TwilioErrors.MaxCheckAttempts, "Max check attempts reached", pin.ExpiresAt - time.GetUtcNow() is { Ticks: > 0 } wait ? wait : null);

    private static TfaError ServiceNotFound(string applicationId) =>
        TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}");

    private static TfaError VerificationNotFound(string applicationId, string pinId) =>
        TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}/Verifications/{TwilioSids.Of(TwilioSids.VerificationPrefix, pinId)}");

    private static TfaError CheckNotFound(string applicationId) =>
        TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}/VerificationCheck");
}
