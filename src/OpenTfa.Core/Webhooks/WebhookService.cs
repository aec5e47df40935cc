using System.Security.Cryptography;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Webhooks;

public sealed record WebhookInput(string? Url, IReadOnlyList<string>? Events, bool? Enabled, string? Description);

/// <summary>A webhook with its secret in clear: answered once, when the secret is made.</summary>
public sealed record WebhookWithSecret(Webhook Webhook, string Secret);

/// <summary>Webhooks of an application: validation, secrets, and their deliveries.</summary>
public sealed class WebhookService(
    IWebhookStore store,
    IApplicationStore applications,
    WebhookSubscriptions subscriptions,
    WebhookUrlPolicy urls,
    SecretProtector protector,
    WebhookOptions options,
    TimeProvider time)
{
    public const string SecretPrefix = "whsec_";
    public const int MaxDescriptionLength = 255;
    public const int MaxDeliveriesListed = 200;

    public async Task<Result<WebhookWithSecret>> CreateAsync(string tenantId, string applicationId, WebhookInput input, CancellationToken cancellationToken)
    {
        if (await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        var errors = new ValidationErrors();
        if (input.Events is null)
        {
            errors.Add("events", $"is required: one or more of {string.Join(", ", EventTypes.All)}");
        }

        Validate(input, errors, create: true);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        if ((await store.ListWebhooksAsync(tenantId, applicationId, cancellationToken)).Count >= options.MaxPerApplication)
        {
            return new TfaError(ErrorKind.Conflict, $"The application already has {options.MaxPerApplication} webhooks, the most allowed (OpenTfa:Webhooks:MaxPerApplication)");
        }

        string id = Ids.New();
        string secret = NewSecret();
        DateTimeOffset now = time.GetUtcNow();
        var webhook = new Webhook(id, tenantId, applicationId, input.Url!.Trim(), Normalize(input.Events!), input.Enabled ?? true, input.Description,
            protector.Seal(id, secret), now, now);
        await store.CreateWebhookAsync(webhook, cancellationToken);
        subscriptions.Invalidate(tenantId, applicationId);
        return new WebhookWithSecret(webhook, secret);
    }

    /// <summary>Changes the fields given; the secret stays.</summary>
    public async Task<Result<Webhook>> UpdateAsync(string tenantId, string applicationId, string webhookId, WebhookInput input, CancellationToken cancellationToken)
    {
        Result<Webhook> found = await GetAsync(tenantId, applicationId, webhookId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found;
        }

        var errors = new ValidationErrors();
        Validate(input, errors, create: false);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        Webhook existing = found.Value;
        Webhook updated = existing with
        {
            Url = input.Url?.Trim() ?? existing.Url,
            Events = input.Events is null ? existing.Events : Normalize(input.Events),
            Enabled = input.Enabled ?? existing.Enabled,
            Description = input.Description ?? existing.Description,
            UpdatedAt = time.GetUtcNow(),
        };
        return await SaveAsync(updated, cancellationToken);
    }

    /// <summary>Replaces the secret; the new one is answered once. Deliveries not yet sent are signed with the new secret.</summary>
    public async Task<Result<WebhookWithSecret>> RotateSecretAsync(string tenantId, string applicationId, string webhookId, CancellationToken cancellationToken)
    {
        Result<Webhook> found = await GetAsync(tenantId, applicationId, webhookId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        string secret = NewSecret();
        Result<Webhook> saved = await SaveAsync(found.Value with { Secret = protector.Seal(webhookId, secret), UpdatedAt = time.GetUtcNow() }, cancellationToken);
        return saved.IsSuccess ? new WebhookWithSecret(saved.Value, secret) : saved.Error;
    }

    public async Task<Result<Webhook>> DeleteAsync(string tenantId, string applicationId, string webhookId, CancellationToken cancellationToken)
    {
        Result<Webhook> found = await GetAsync(tenantId, applicationId, webhookId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found;
        }

        bool deleted = await store.DeleteWebhookAsync(tenantId, webhookId, cancellationToken);
        subscriptions.Invalidate(tenantId, applicationId);
        return deleted ? found : NotFound();
    }

    public async Task<Result<Webhook>> GetAsync(string tenantId, string applicationId, string webhookId, CancellationToken cancellationToken)
    {
        Webhook? webhook = await store.GetWebhookAsync(tenantId, webhookId, cancellationToken);
        return webhook is not null && webhook.ApplicationId == applicationId ? webhook : NotFound();
    }

    public async Task<Result<IReadOnlyList<Webhook>>> ListAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        if (await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null)
        {
            return new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound);
        }

        return Result<IReadOnlyList<Webhook>>.Ok(await store.ListWebhooksAsync(tenantId, applicationId, cancellationToken));
    }

    public async Task<Result<IReadOnlyList<WebhookDeliveryRecord>>> DeliveriesAsync(string tenantId, string applicationId, string webhookId, int? limit, CancellationToken cancellationToken)
    {
        Result<Webhook> found = await GetAsync(tenantId, applicationId, webhookId, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        if (limit is < 1 or > MaxDeliveriesListed)
        {
            return TfaError.Field("limit", $"must be between 1 and {MaxDeliveriesListed}");
        }

        return Result<IReadOnlyList<WebhookDeliveryRecord>>.Ok(await store.ListWebhookDeliveriesAsync(tenantId, webhookId, limit ?? 50, cancellationToken));
    }

    private async Task<Result<Webhook>> SaveAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        bool saved = await store.UpdateWebhookAsync(webhook, cancellationToken);
        subscriptions.Invalidate(webhook.TenantId, webhook.ApplicationId);
        return saved ? webhook : NotFound();
    }

    private void Validate(WebhookInput input, ValidationErrors errors, bool create)
    {
        if ((create || input.Url is not null) && urls.Problem(input.Url?.Trim()) is { } problem)
        {
            errors.Add("url", problem);
        }

        if (input.Events is { } events)
        {
            if (events.Count == 0)
            {
                errors.Add("events", $"must name at least one of {string.Join(", ", EventTypes.All)}");
            }

            foreach (string type in events.Where(e => !EventTypes.IsKnown(e)))
            {
                errors.Add("events", $"'{type}' is not an event type: one of {string.Join(", ", EventTypes.All)}");
            }
        }

        if (input.Description is { } description && (description.Length > MaxDescriptionLength || description.Any(char.IsControl)))
        {
            errors.Add("description", $"must be at most {MaxDescriptionLength} characters without control characters");
        }
    }

    private static string[] Normalize(IReadOnlyList<string> events) => events.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    private static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static TfaError NotFound() => new(ErrorKind.NotFound, "Webhook not found");
}
