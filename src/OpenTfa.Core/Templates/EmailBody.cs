using System.Net;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Templates;

/// <summary>An e-mail body of OpenTfa's own; its numeric id is what e-mail templates call <c>emailTemplateId</c>.</summary>
public sealed record EmailBody(long Id, string TenantId, string Name, string Subject, string Text, string? Html, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record EmailBodyInput(string? Name, string? Subject, string? Text, string? Html);

/// <summary>E-mail bodies: subject, text and optional HTML, each with <c>{{pin}}</c> and placeholders.</summary>
public sealed class EmailBodyService(IEmailBodyStore store, TimeProvider time)
{
    public const int MaxSubjectLength = 998;
    public const int MaxBodyLength = 100_000;

    public async Task<Result<EmailBody>> CreateAsync(string tenantId, EmailBodyInput input, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (input.Subject is null)
        {
            errors.Add("subject", "is required");
        }

        if (input.Text is null)
        {
            errors.Add("text", "is required and must contain {{pin}}");
        }

        DateTimeOffset now = time.GetUtcNow();
        EmailBody body = Apply(new EmailBody(0, tenantId, string.Empty, string.Empty, string.Empty, null, now, now), input, errors);
        return errors.Any ? TfaError.Validation(errors) : await store.CreateEmailBodyAsync(body, cancellationToken);
    }

    public async Task<Result<EmailBody>> UpdateAsync(string tenantId, long id, EmailBodyInput input, CancellationToken cancellationToken)
    {
        EmailBody? existing = await store.GetEmailBodyAsync(tenantId, id, cancellationToken);
        if (existing is null)
        {
            return new TfaError(ErrorKind.NotFound, "E-mail body not found");
        }

        var errors = new ValidationErrors();
        EmailBody updated = Apply(existing, input, errors) with { UpdatedAt = time.GetUtcNow() };
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        return await store.UpdateEmailBodyAsync(updated, cancellationToken) ? updated : new TfaError(ErrorKind.NotFound, "E-mail body not found");
    }

    public async Task<Result<EmailBody>> GetAsync(string tenantId, long id, CancellationToken cancellationToken) =>
        await store.GetEmailBodyAsync(tenantId, id, cancellationToken) is { } body ? body : new TfaError(ErrorKind.NotFound, "E-mail body not found");

    public Task<IReadOnlyList<EmailBody>> ListAsync(string tenantId, CancellationToken cancellationToken) => store.ListEmailBodiesAsync(tenantId, cancellationToken);

    /// <summary>
    /// The message for one PIN: placeholders filled in subject and text, and HTML-escaped in
    /// the HTML body, so that a caller's value cannot inject markup.
    /// </summary>
    public static MessageContent? Render(string subject, string text, string? html, string pin, IReadOnlyDictionary<string, string>? placeholders, ValidationErrors errors)
    {
        string? renderedSubject = TextRendering.Render(subject, pin, placeholders, errors);
        string? renderedText = TextRendering.Render(text, pin, placeholders, errors);
        string? renderedHtml = html is null
            ? null
            : TextRendering.Render(html, WebUtility.HtmlEncode(pin), placeholders?.ToDictionary(p => p.Key, p => WebUtility.HtmlEncode(p.Value), StringComparer.Ordinal), errors);
        return renderedSubject is null || renderedText is null || (html is not null && renderedHtml is null)
            ? null
            : new MessageContent(renderedText, Subject: renderedSubject, Html: renderedHtml);
    }

    private static EmailBody Apply(EmailBody body, EmailBodyInput input, ValidationErrors errors)
    {
        if (input.Name is { } name)
        {
            if (name.Length > 255 || name.Any(char.IsControl))
            {
                errors.Add("name", "must be at most 255 characters without control characters");
            }

            body = body with { Name = name };
        }

        if (input.Subject is { } subject)
        {
            if (string.IsNullOrWhiteSpace(subject) || subject.Length > MaxSubjectLength || subject.Any(char.IsControl))
            {
                errors.Add("subject", $"must be 1 to {MaxSubjectLength} characters on one line (no CR, LF or other control characters)");
            }

            body = body with { Subject = subject };
        }

        if (input.Text is { } text)
        {
            CheckBody("text", text, errors);
            body = body with { Text = text };
        }

        if (input.Html is { } html)
        {
            CheckBody("html", html, errors);
            body = body with { Html = html };
        }

        return body;
    }

    private static void CheckBody(string field, string value, ValidationErrors errors)
    {
        if (!value.Contains(TextRendering.PinPlaceholder, StringComparison.Ordinal))
        {
            errors.Add(field, "must contain the {{pin}} placeholder");
        }
        else if (value.Length > MaxBodyLength)
        {
            errors.Add(field, $"must be at most {MaxBodyLength} characters");
        }
        else if (TextRendering.HasForbiddenControl(value))
        {
            errors.Add(field, "must not contain control characters other than line breaks and tabs");
        }
    }
}
