using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Pins;

/// <summary>A new PIN and its outgoing message (none when the number check says it cannot be delivered), ready for the store step.</summary>
public sealed record NewPin(PinRecord Pin, OutboxMessage? Message);

/// <summary>
/// The second stage of a send or resend: draws the PIN, fills the template's placeholders,
/// renders the text (within the SMS segment limit) or the e-mail body, and seals both the PIN
/// and the message for the store. Only rendering can fail (a missing placeholder, a text over
/// the segment limit): it answers a validation error.
/// </summary>
public sealed class PinMessageBuilder(IEmailBodyStore emailBodies, SecretProtector protector, IOptions<PinOptions> options)
{
    private readonly PinOptions _options = options.Value;

    public async Task<Result<NewPin>> BuildSendAsync(ValidatedSend send, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Test numbers are the one documented exception to random PINs; their messages never leave OpenTfa.
        string pinValue = send.TestPin ?? send.ChosenPin ?? PinGenerator.Generate(send.Template.PinType, send.Template.PinLength);
        string pinId = Ids.New();
        DateTimeOffset expiresAt = now + send.Application.Settings.PinTtl;
        OutboxMessage? message = null;
        if (send.Sendable)
        {
            Result<OutboxMessage> built = await BuildMessageAsync(pinId, send.TenantId, send.Application.Id, send.Kind, send.Destination, send.From,
                send.Template, pinValue, send.Placeholders, now, expiresAt, testNumber: send.TestPin is not null, cancellationToken);
            if (!built.IsSuccess)
            {
                return built.Error;
            }

            message = built.Value;
        }

        // A PIN that is not sent (the number cannot exist) has no workflow to follow.
        Workflows.PinWorkflow? workflow = send.Workflow is { } plan && message is not null ? Workflows.PinWorkflow.Started(plan, now, message.Id) : null;
        if (workflow is not null)
        {
            message = message! with { Step = 1 };
        }

        var pin = new PinRecord(pinId, send.TenantId, send.Application.Id, send.Template.Id, send.Kind, send.Destination, protector.Seal(pinId, pinValue),
            now, expiresAt, send.Application.Settings.PinAttempts, send.Sendable,
            PlaceholdersJson: send.Placeholders is null ? null : JsonSerializer.Serialize(send.Placeholders, CoreJsonContext.Default.IReadOnlyDictionaryStringString),
            From: send.From, Workflow: workflow);
        return new NewPin(pin, message);
    }

    /// <summary>The same PIN in a new message; placeholders not given again are those of the first send.</summary>
    public Task<Result<OutboxMessage>> BuildResendAsync(ValidatedResend resend, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PinRecord pin = resend.Pin;
        IReadOnlyDictionary<string, string>? values = resend.Placeholders
            ?? pin.Placeholders();
        return BuildMessageAsync(pin.Id, pin.TenantId, pin.ApplicationId, resend.Kind, pin.Destination, resend.From, resend.Template,
            protector.Open(pin.Id, pin.Pin), values, now, pin.ExpiresAt, resend.TestNumber, cancellationToken);
    }

    /// <summary>
    /// The message of workflow step <paramref name="step"/> (from 1): the stored PIN, or
    /// <paramref name="newPin"/> when the plan draws one per step, with the first send's placeholders.
    /// </summary>
    public async Task<Result<OutboxMessage>> BuildStepAsync(ValidatedResend resend, int step, string? newPin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PinRecord pin = resend.Pin;
        Result<OutboxMessage> built = await BuildMessageAsync(pin.Id, pin.TenantId, pin.ApplicationId, resend.Kind, pin.Destination, resend.From, resend.Template,
            newPin ?? protector.Open(pin.Id, pin.Pin), pin.Placeholders(), now, pin.ExpiresAt, resend.TestNumber, cancellationToken);
        return built.IsSuccess ? built.Value with { Step = step } : built.Error;
    }

    private async Task<Result<OutboxMessage>> BuildMessageAsync(
        string pinId, string tenantId, string applicationId, ChannelKind kind, string destination, string? from,
        MessageTemplate template, string pinValue, IReadOnlyDictionary<string, string>? placeholders, DateTimeOffset now, DateTimeOffset expiresAt,
        bool testNumber, CancellationToken cancellationToken)
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

        return new MessageContent(text, Language: template.Language, VoiceName: template.VoiceName, SpeechRate: template.SpeechRate, RepeatDtmf: template.RepeatDtmf, Code: pin, TemplateId: template.Id);
    }

    /// <summary>The template's e-mail body, or the built-in one when the template names none that exists.</summary>
    private async Task<MessageContent?> RenderEmailAsync(string tenantId, MessageTemplate template, string pin, IReadOnlyDictionary<string, string>? placeholders, ValidationErrors errors, CancellationToken cancellationToken)
    {
        EmailBody? body = template.EmailTemplateId is { } id ? await emailBodies.GetEmailBodyAsync(tenantId, id, cancellationToken) : null;
        return body is null
            ? EmailBodyService.Render(_options.DefaultEmailSubject, _options.DefaultEmailText, null, pin, placeholders, errors)
            : EmailBodyService.Render(body.Subject, body.Text, body.Html, pin, placeholders, errors);
    }
}
