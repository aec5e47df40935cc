using System.Collections.Concurrent;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tenancy;

/// <summary>
/// The senders one tenant may use, set by the operator: SMS sender ids and numbers (also the
/// caller ids of voice messages) and e-mail From addresses, where <c>@example.com</c> stands for
/// every address of that domain. A null list leaves that kind to the service-wide
/// <c>OpenTfa:Pins:AllowedSenders</c>.
/// </summary>
public sealed record TenantSenders(IReadOnlyList<string>? Sms, IReadOnlyList<string>? Email);

/// <summary>
/// Which sender a message goes out with, and whether the tenant may use it. The request's
/// <c>from</c> comes first, then the template's sender, then the tenant's first listed sender,
/// then the service default (<c>OpenTfa:Pins:DefaultSmsSender</c>, <c>DefaultEmailFrom</c>).
/// The service default is the operator's choice and therefore always allowed.
/// </summary>
public static class SenderRules
{
    public const int MaxEntries = 100;

    /// <summary>The sender to use, or the error naming the field that asked for one the tenant may not use.</summary>
    public static Result<string?> Resolve(ChannelKind kind, string? requested, MessageTemplate template, TenantSenders? tenant, PinOptions options)
    {
        string? fromTemplate = kind == ChannelKind.Email ? template.From : template.SenderId;
        IReadOnlyList<string>? tenantList = kind == ChannelKind.Email ? tenant?.Email : tenant?.Sms;
        IReadOnlyList<string>? allowed = tenantList ?? (options.AllowedSenders.Count > 0 ? options.AllowedSenders.ToArray() : null);
        string? chosen = requested ?? fromTemplate;
        string? serviceDefault = kind switch
        {
            ChannelKind.Email => options.DefaultEmailFrom,
            ChannelKind.Sms => options.DefaultSmsSender,
            _ => null,
        };
        if (chosen is null)
        {
            return Result<string?>.Ok(tenantList?.FirstOrDefault(s => !s.StartsWith('@')) ?? serviceDefault);
        }

        if (allowed is null || chosen == serviceDefault || Allows(kind, allowed, chosen))
        {
            return chosen;
        }

        string whose = tenantList is null ? "this service" : "this tenant";
        return requested is not null
            ? TfaError.Field("from", $"'{chosen}' is not one of the senders allowed for {whose}")
            : TfaError.Field("messageId", $"the template's {(kind == ChannelKind.Email ? "from" : "senderId")} '{chosen}' is not one of the senders allowed for {whose}");
    }

    /// <summary>Whether a template's sender (<paramref name="field"/> <c>senderId</c> or <c>from</c>) is one the tenant may use.</summary>
    public static void CheckTemplate(string field, ChannelKind kind, string? sender, TenantSenders? tenant, ValidationErrors errors)
    {
        IReadOnlyList<string>? list = kind == ChannelKind.Email ? tenant?.Email : tenant?.Sms;
        if (sender is not null && list is not null && !Allows(kind, list, sender))
        {
            errors.Add(field, $"'{sender}' is not one of the senders allowed for this tenant");
        }
    }

    public static bool Allows(ChannelKind kind, IReadOnlyList<string> allowed, string sender)
    {
        if (kind != ChannelKind.Email)
        {
            return allowed.Contains(sender, StringComparer.Ordinal);
        }

        if (!MailAddress.TryCreate(sender, out MailAddress? address))
        {
            return false;
        }

        return allowed.Any(entry => entry.StartsWith('@')
            ? address.Host.Equals(entry[1..], StringComparison.OrdinalIgnoreCase)
            : MailAddress.TryCreate(entry, out MailAddress? listed) && listed.Address.Equals(address.Address, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Checks a list given by the operator; <paramref name="field"/> is <c>sms</c> or <c>email</c>.</summary>
    public static void Validate(string field, IReadOnlyList<string>? list, ValidationErrors errors)
    {
        if (list is null)
        {
            return;
        }

        if (list.Count > MaxEntries)
        {
            errors.Add(field, $"must hold at most {MaxEntries} senders");
            return;
        }

        for (int i = 0; i < list.Count; i++)
        {
            string? entry = list[i];
            string? error = entry is null ? "must not be null"
                : field == "email" ? EmailEntryError(entry)
                : Senders.Validate(entry);
            if (error is null && list.Take(i).Contains(entry, field == "email" ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal))
            {
                error = "is given twice";
            }

            if (error is not null)
            {
                errors.Add($"{field}[{i}]", error);
            }
        }
    }

    private static string? EmailEntryError(string entry)
    {
        if (entry.AsSpan().IndexOfAny('\r', '\n') >= 0 || entry.Any(char.IsControl))
        {
            return "must not hold control characters";
        }

        bool valid = entry.StartsWith('@')
            ? entry.Length > 1 && MailAddress.TryCreate("x" + entry, out MailAddress? domain) && domain.Host == entry[1..]
            : MailAddress.TryCreate(entry, out _);
        return valid ? null : "must be an e-mail address such as no-reply@example.com, or @example.com for every address of that domain";
    }
}

/// <summary>
/// Reads and sets the tenants' sender lists. Only an <c>opentfa:admin</c> key of the operator
/// tenant may set one; a tenant's admin key may read its own. Lists are trusted for a few
/// seconds per node, so a change takes effect at once on the node that made it and within
/// <see cref="CacheDuration"/> elsewhere.
/// </summary>
public sealed class SenderService(ITenantStore store, IOptions<PinOptions> options, TimeProvider time)
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (TenantSenders? Senders, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);

    public PinOptions Options => options.Value;

    /// <summary>The tenant's lists, or null when the operator set none.</summary>
    public async Task<TenantSenders?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var cached) && now - cached.At < CacheDuration)
        {
            return cached.Senders;
        }

        string? json = await store.GetTenantSendersAsync(tenantId, cancellationToken);
        TenantSenders? senders = json is null ? null : JsonSerializer.Deserialize(json, CoreJsonContext.Default.TenantSenders);
        _cache[tenantId] = (senders, now);
        return senders;
    }

    /// <summary>The lists of <paramref name="tenantId"/> as its caller may see them; another tenant's are a 404 unless the caller is the operator.</summary>
    public async Task<Result<TenantSenders>> ReadAsync(Caller caller, string tenantId, CancellationToken cancellationToken)
    {
        if (await VisibleTenantAsync(caller, tenantId, cancellationToken) is { } missing)
        {
            return missing;
        }

        return await GetAsync(tenantId, cancellationToken) ?? new TenantSenders(null, null);
    }

    /// <summary>Replaces the tenant's lists (both null: the service-wide rule applies again).</summary>
    public async Task<Result<TenantSenders>> SetAsync(Caller caller, string tenantId, TenantSenders senders, CancellationToken cancellationToken)
    {
        if (await VisibleTenantAsync(caller, tenantId, cancellationToken) is { } missing)
        {
            return missing;
        }

        if (!caller.IsOperatorAdmin)
        {
            return new TfaError(ErrorKind.Forbidden, "Only an opentfa:admin key of the operator tenant may set a tenant's senders");
        }

        var errors = new ValidationErrors();
        SenderRules.Validate("sms", senders.Sms, errors);
        SenderRules.Validate("email", senders.Email, errors);
        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        DateTimeOffset now = time.GetUtcNow();
        string? json = senders.Sms is null && senders.Email is null ? null : JsonSerializer.Serialize(senders, CoreJsonContext.Default.TenantSenders);
        await store.SetTenantSendersAsync(tenantId, json, now, cancellationToken);
        _cache[tenantId] = (json is null ? null : senders, now);
        return senders;
    }

    private async Task<TfaError?> VisibleTenantAsync(Caller caller, string tenantId, CancellationToken cancellationToken) =>
        (tenantId == caller.TenantId || caller.IsOperatorAdmin) && await store.GetTenantAsync(tenantId, cancellationToken) is not null
            ? null
            : new TfaError(ErrorKind.NotFound, "Tenant not found");
}
