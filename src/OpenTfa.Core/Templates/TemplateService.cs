using System.Net.Mail;
using System.Text.RegularExpressions;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Templates;

public sealed record TextTemplateInput(
    string? MessageText,
    string? PinType,
    int? PinLength,
    string? Language,
    string? SenderId,
    string? RepeatDtmf,
    double? SpeechRate,
    string? VoiceName,
    string? RegionalJson);

public sealed record EmailTemplateInput(long? EmailTemplateId, string? From, string? PinType, int? PinLength, string? LandingPageId);

/// <summary>SMS/voice and e-mail templates. Create validates a whole template; update changes only the fields given.</summary>
public sealed partial class TemplateService(IApplicationStore store, TimeProvider time, IEmailBodyStore bodies, SenderService senders)
{
    public const int MaxMessageTextLength = 1600;

    [GeneratedRegex("^[0-9*#]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex Dtmf();

    public async Task<Result<MessageTemplate>> CreateTextAsync(string tenantId, string applicationId, TextTemplateInput input, CancellationToken cancellationToken)
    {
        if (await store.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        var errors = new ValidationErrors();
        if (input.MessageText is null)
        {
            errors.Add("messageText", "must not be empty");
        }

        if (input.PinType is null)
        {
            errors.Add("pinType", $"is required: one of {PinTypes.AllowedValues}");
        }

        DateTimeOffset now = time.GetUtcNow();
        var template = new MessageTemplate(Ids.New(), tenantId, applicationId, TemplateKind.Text, PinType.Numeric, PinTypes.DefaultLength,
            null, Languages.Default, null, null, null, null, null, null, null, null, now, now);
        template = ApplyText(template, input, errors);
        await CheckSenderAsync(tenantId, "senderId", ChannelKind.Sms, input.SenderId, errors, cancellationToken);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        await store.CreateTemplateAsync(template, cancellationToken);
        return template;
    }

    public async Task<Result<MessageTemplate>> UpdateTextAsync(string tenantId, string applicationId, string templateId, TextTemplateInput input, CancellationToken cancellationToken)
    {
        Result<MessageTemplate> found = await FindAsync(tenantId, applicationId, templateId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found;
        }

        var errors = new ValidationErrors();
        if (found.Value.Kind != TemplateKind.Text)
        {
            return new TfaError(ErrorKind.BadRequest, "This is an e-mail template; update it through the e-mail template operation");
        }

        MessageTemplate updated = ApplyText(found.Value, input, errors) with { UpdatedAt = time.GetUtcNow() };
        await CheckSenderAsync(tenantId, "senderId", ChannelKind.Sms, input.SenderId, errors, cancellationToken);
        return errors.Any ? TfaError.Validation(errors) : await SaveAsync(updated, cancellationToken);
    }

    public async Task<Result<MessageTemplate>> CreateEmailAsync(string tenantId, string applicationId, EmailTemplateInput input, CancellationToken cancellationToken)
    {
        if (await store.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        var errors = new ValidationErrors();
        if (input.EmailTemplateId is null)
        {
            errors.Add("emailTemplateId", "is required");
        }

        DateTimeOffset now = time.GetUtcNow();
        var template = new MessageTemplate(Ids.New(), tenantId, applicationId, TemplateKind.Email, PinType.Numeric, PinTypes.DefaultLength,
            null, null, null, null, null, null, null, null, null, null, now, now);
        template = ApplyEmail(template, input, errors);
        await CheckSenderAsync(tenantId, "from", ChannelKind.Email, input.From, errors, cancellationToken);
        await CheckEmailBodyAsync(tenantId, input.EmailTemplateId, errors, cancellationToken);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        await store.CreateTemplateAsync(template, cancellationToken);
        return template;
    }

    public async Task<Result<MessageTemplate>> UpdateEmailAsync(string tenantId, string applicationId, string templateId, EmailTemplateInput input, CancellationToken cancellationToken)
    {
        Result<MessageTemplate> found = await FindAsync(tenantId, applicationId, templateId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found;
        }

        if (found.Value.Kind != TemplateKind.Email)
        {
            return new TfaError(ErrorKind.BadRequest, "This is an SMS/voice template; update it through the message template operation");
        }

        var errors = new ValidationErrors();
        MessageTemplate updated = ApplyEmail(found.Value, input, errors) with { UpdatedAt = time.GetUtcNow() };
        await CheckSenderAsync(tenantId, "from", ChannelKind.Email, input.From, errors, cancellationToken);
        await CheckEmailBodyAsync(tenantId, input.EmailTemplateId, errors, cancellationToken);
        return errors.Any ? TfaError.Validation(errors) : await SaveAsync(updated, cancellationToken);
    }

    public async Task<Result<MessageTemplate>> FindAsync(string tenantId, string applicationId, string templateId, CancellationToken cancellationToken)
    {
        if (await store.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        return await store.GetTemplateAsync(tenantId, applicationId, templateId, cancellationToken) is { } template
            ? template
            : new TfaError(ErrorKind.NotFound, ErrorTexts.TemplateNotFound);
    }

    public async Task<Result<IReadOnlyList<MessageTemplate>>> ListAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        if (await store.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        return Result<IReadOnlyList<MessageTemplate>>.Ok(await store.ListTemplatesAsync(tenantId, applicationId, cancellationToken));
    }

    /// <summary>An <c>emailTemplateId</c> must name one of the tenant's own e-mail bodies.</summary>
    private async Task CheckEmailBodyAsync(string tenantId, long? emailTemplateId, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (emailTemplateId is > 0 && await bodies.GetEmailBodyAsync(tenantId, emailTemplateId.Value, cancellationToken) is null)
        {
            errors.Add("emailTemplateId", "no e-mail body with this id; create one with POST /opentfa/v1/email-bodies");
        }
    }

    private async Task<Result<MessageTemplate>> SaveAsync(MessageTemplate template, CancellationToken cancellationToken) =>
        await store.UpdateTemplateAsync(template, cancellationToken) ? template : new TfaError(ErrorKind.NotFound, ErrorTexts.TemplateNotFound);

    /// <summary>A sender the template names must be one the operator allowed the tenant, when it set a list.</summary>
    private async Task CheckSenderAsync(string tenantId, string field, ChannelKind kind, string? sender, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (sender is not null && !errors.Has(field))
        {
            SenderRules.CheckTemplate(field, kind, sender, await senders.GetAsync(tenantId, cancellationToken), errors);
        }
    }

    private static MessageTemplate ApplyText(MessageTemplate t, TextTemplateInput input, ValidationErrors errors)
    {
        if (input.MessageText is { } text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                errors.Add("messageText", "must not be empty");
            }
            else if (!text.Contains(TextRendering.PinPlaceholder, StringComparison.Ordinal))
            {
                errors.Add("messageText", "must contain the {{pin}} placeholder");
            }
            else if (text.Length > MaxMessageTextLength)
            {
                errors.Add("messageText", $"must be at most {MaxMessageTextLength} characters");
            }
            else if (TextRendering.HasForbiddenControl(text))
            {
                errors.Add("messageText", "must not contain control characters other than line breaks and tabs");
            }

            t = t with { MessageText = text };
        }

        t = ApplyPin(t, input.PinType, input.PinLength, errors);
        if (input.Language is { } language)
        {
            string? normalized = Languages.Normalize(language);
            if (normalized is null)
            {
                errors.Add("language", $"'{language}' is not supported: one of {Languages.AllowedValues}");
            }

            t = t with { Language = normalized };
        }

        if (input.SenderId is { } sender)
        {
            if (Senders.Validate(sender) is { } senderError)
            {
                errors.Add("senderId", senderError);
            }

            t = t with { SenderId = sender };
        }

        if (input.RepeatDtmf is { } dtmf)
        {
            if (!Dtmf().IsMatch(dtmf))
            {
                errors.Add("repeatDTMF", "must be 1 to 20 of the keys 0-9, * and # (e.g. 1#)");
            }

            t = t with { RepeatDtmf = dtmf };
        }

        if (input.SpeechRate is { } rate)
        {
            if (rate is < 0.5 or > 2 || double.IsNaN(rate))
            {
                errors.Add("speechRate", "must be between 0.5 and 2");
            }

            t = t with { SpeechRate = rate };
        }

        if (input.VoiceName is { } voice)
        {
            if (voice.Length is 0 or > 64 || voice.Any(char.IsControl))
            {
                errors.Add("voiceName", "must be 1 to 64 characters without control characters");
            }

            t = t with { VoiceName = voice };
        }

        if (input.RegionalJson is { } regional)
        {
            RegionalRules.Validate(regional, errors);
            t = t with { RegionalJson = regional };
        }

        return t;
    }

    private static MessageTemplate ApplyEmail(MessageTemplate t, EmailTemplateInput input, ValidationErrors errors)
    {
        if (input.EmailTemplateId is { } id)
        {
            if (id <= 0)
            {
                errors.Add("emailTemplateId", "must be a positive number");
            }

            t = t with { EmailTemplateId = id };
        }

        if (input.From is { } from)
        {
            if (from.AsSpan().IndexOfAny('\r', '\n') >= 0 || !MailAddress.TryCreate(from, out _))
            {
                errors.Add("from", "must be an e-mail address such as company@example.com or Jane Smith <jane@example.com>");
            }

            t = t with { From = from };
        }

        if (input.LandingPageId is { } landing)
        {
            if (landing.Length > 255 || landing.Any(char.IsControl))
            {
                errors.Add("landingPageId", "must be at most 255 characters without control characters");
            }

            t = t with { LandingPageId = landing };
        }

        return ApplyPin(t, input.PinType, input.PinLength, errors);
    }

    private static MessageTemplate ApplyPin(MessageTemplate t, string? pinType, int? pinLength, ValidationErrors errors)
    {
        if (pinType is not null)
        {
            if (PinTypes.TryParse(pinType, out PinType type))
            {
                t = t with { PinType = type };
            }
            else
            {
                errors.Add("pinType", $"'{pinType}' is not a PIN type: one of {PinTypes.AllowedValues}");
            }
        }

        if (pinLength is { } length)
        {
            if (length is < PinTypes.MinLength or > PinTypes.MaxLength)
            {
                errors.Add("pinLength", $"must be between {PinTypes.MinLength} and {PinTypes.MaxLength}, was {length}");
            }

            t = t with { PinLength = length };
        }

        return t;
    }
}

public static class Senders
{
    /// <summary>An SMS sender: up to 11 alphanumeric characters, or a number of up to 16 digits.</summary>
    public static string? Validate(string sender)
    {
        if (sender.Length == 0)
        {
            return "must not be empty";
        }

        string digits = sender.StartsWith('+') ? sender[1..] : sender;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            return digits.Length <= 16 ? null : "a numeric sender must be at most 16 digits";
        }

        return sender.Length <= 11 && sender.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '.' or '_' or '&')
            ? null
            : "an alphanumeric sender must be at most 11 letters, digits, spaces or - . _ &";
    }
}
