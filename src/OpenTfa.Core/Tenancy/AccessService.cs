using System.Collections.Concurrent;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Tenancy;

public sealed record CreatedKey(ApiKey Key, string ClearKey);

/// <summary>API keys and tenants: who is calling, and what an administrator may do about keys.</summary>
public sealed class AccessService(ITenantStore store, TimeProvider time)
{
    /// <summary>How long a node trusts a key it looked up; a revocation on another node takes effect within this bound.</summary>
    public static readonly TimeSpan KeyCacheDuration = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private static readonly string[] Schemes = ["App", "Bearer"];
    private readonly ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset CachedAt)> _cache = new(StringComparer.Ordinal);

    /// <summary>Reads <c>App &lt;key&gt;</c>, <c>Bearer &lt;key&gt;</c>, <c>Basic</c> credentials or a bare key; null when the header carries none.</summary>
    public static string? KeyFromHeader(string? authorization) => CredentialsOf(authorization).Key;

    /// <summary>
    /// The key a header carries, and for HTTP Basic (as Twilio's libraries send it) also the user
    /// name: the key is the password, and the user name must be the tenant's account SID or the
    /// key's own API key SID (<see cref="Twilio.TwilioSids"/>).
    /// </summary>
    private static (string? User, string? Key) CredentialsOf(string? authorization)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return (null, null);
        }

        string value = authorization.Trim();
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            return (null, value);
        }

        string scheme = value[..space];
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return BasicCredentials(value[(space + 1)..].Trim());
        }

        return (null, Schemes.Contains(scheme, StringComparer.OrdinalIgnoreCase) ? value[(space + 1)..].Trim() : null);
    }

    private static (string? User, string? Key) BasicCredentials(string encoded)
    {
        Span<byte> bytes = stackalloc byte[Math.Min(encoded.Length, 1024)];
        if (encoded.Length > bytes.Length || !Convert.TryFromBase64String(encoded, bytes, out int written))
        {
            return (null, null);
        }

        string text = System.Text.Encoding.UTF8.GetString(bytes[..written]);
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? (null, null) : (text[..colon], text[(colon + 1)..]);
    }

    public async Task<Caller?> AuthenticateAsync(string? authorization, CancellationToken cancellationToken)
    {
        (string? user, string? key) = CredentialsOf(authorization);
        if (key is null || key.Length > 512)
        {
            return null;
        }

        DateTimeOffset now = time.GetUtcNow();
        string keyId = ApiKeyFormat.KeyIdOf(key);
        ApiKey? stored = await FindCachedAsync(keyId, now, cancellationToken);
        if (stored is null && keyId == ApiKeyFormat.OperatorChosenKeyId)
        {
            keyId = ApiKeyFormat.LegacyKeyIdOf(key);
            stored = await FindCachedAsync(keyId, now, cancellationToken);
        }

        if (stored is null || !ApiKeyFormat.HashMatches(key, stored.Hash) || !stored.IsUsableAt(now)
            || (user is not null && user != Twilio.TwilioSids.Account(stored.TenantId) && user != Twilio.TwilioSids.ApiKey(stored.Id)))
        {
            return null;
        }

        if (stored.LastUsedAt is null || now - stored.LastUsedAt > LastUsedResolution)
        {
            ApiKey touched = stored with { LastUsedAt = now };
            // Keep the time of the lookup, so that the cache bound on revocations holds.
            _cache[keyId] = (touched, _cache.TryGetValue(keyId, out var entry) ? entry.CachedAt : now);
            await store.TouchKeyAsync(keyId, now, cancellationToken);
        }

        return new Caller(stored.TenantId, stored);
    }

    /// <summary>The key with this id if it may be used now (revoked or expired keys are not); a revocation is seen within <see cref="KeyCacheDuration"/>.</summary>
    public async Task<ApiKey?> FindUsableKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        return await FindCachedAsync(keyId, now, cancellationToken) is { } key && key.IsUsableAt(now) ? key : null;
    }

    /// <summary>The id a presented key would be looked up by (for counting failures per key id); null when no key was presented.</summary>
    public static string? PresentedKeyId(string? authorization) =>
        KeyFromHeader(authorization) is { Length: > 0 and <= 512 } key ? ApiKeyFormat.KeyIdOf(key) : null;

    private async Task<ApiKey?> FindCachedAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(keyId, out var cached) && now - cached.CachedAt < KeyCacheDuration)
        {
            return cached.Key;
        }

        ApiKey? stored = await store.FindKeyAsync(keyId, cancellationToken);
        if (stored is not null)
        {
            _cache[keyId] = (stored, now);
        }

        return stored;
    }

    /// <summary>
    /// On an empty store, creates the operator tenant with one key holding every scope: the
    /// configured key if there is one, else a generated one (returned so that it can be shown once).
    /// </summary>
    public async Task<(bool Created, string? GeneratedKey)> BootstrapAsync(string? configuredKey, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        string clear = configuredKey ?? ApiKeyFormat.Generate().Key;
        var key = new ApiKey(ApiKeyFormat.KeyIdOf(clear), Tenant.OperatorId, "bootstrap", ApiKeyFormat.Hash(clear), Scopes.All, now, null, null, null);
        bool created = await store.CreateFirstKeyAsync(new Tenant(Tenant.OperatorId, "Operator", now), key, cancellationToken);
        return (created, created && configuredKey is null ? clear : null);
    }

    public async Task<Result<Tenant>> CreateTenantAsync(Caller caller, string? name, CancellationToken cancellationToken)
    {
        if (!caller.IsOperatorAdmin)
        {
            return new TfaError(ErrorKind.Forbidden, "Only an opentfa:admin key of the operator tenant may create tenants");
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 255 || name.Any(char.IsControl))
        {
            return TfaError.Field("name", "must be 1 to 255 characters without control characters");
        }

        var tenant = new Tenant(Pins.Ids.New(), name.Trim(), time.GetUtcNow());
        await store.CreateTenantAsync(tenant, cancellationToken);
        return tenant;
    }

    /// <summary>Every tenant for an operator admin; otherwise the caller's own.</summary>
    public async Task<IReadOnlyList<Tenant>> ListTenantsAsync(Caller caller, CancellationToken cancellationToken)
    {
        if (caller.IsOperatorAdmin)
        {
            return await store.ListTenantsAsync(cancellationToken);
        }

        Tenant? own = await store.GetTenantAsync(caller.TenantId, cancellationToken);
        return own is null ? [] : [own];
    }

    public async Task<Result<CreatedKey>> CreateKeyAsync(Caller caller, string? name, string? tenantId, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        string target = string.IsNullOrEmpty(tenantId) ? caller.TenantId : tenantId;
        if (target != caller.TenantId && (!caller.IsOperatorAdmin || await store.GetTenantAsync(target, cancellationToken) is null))
        {
            return new TfaError(ErrorKind.NotFound, "Tenant not found");
        }

        var errors = new ValidationErrors();
        if (name is not null && (name.Length > 255 || name.Any(char.IsControl)))
        {
            errors.Add("name", "must be at most 255 characters without control characters");
        }
        else if (name is not null && name.StartsWith(ConsoleSessions.NamePrefix, StringComparison.Ordinal))
        {
            errors.Add("name", $"must not start with '{ConsoleSessions.NamePrefix}', which names the console's sessions");
        }

        if (scopes is null || scopes.Count == 0)
        {
            errors.Add("scopes", $"must name at least one of {string.Join(", ", Scopes.All)}");
        }
        else
        {
            foreach (string scope in scopes.Where(s => !Scopes.IsKnown(s)))
            {
                errors.Add("scopes", $"'{scope}' is not a scope: one of {string.Join(", ", Scopes.All)}");
            }
        }

        DateTimeOffset now = time.GetUtcNow();
        if (expiresAt is not null && expiresAt <= now)
        {
            errors.Add("expiresAt", "must be in the future");
        }

        if (errors.Any)
        {
            return TfaError.Validation(errors);
        }

        // A key hands on only what it holds, so no key mints a stronger one.
        string[] beyond = scopes!.Where(s => !caller.Key.HasScope(s)).Distinct(StringComparer.Ordinal).ToArray();
        if (beyond.Length > 0)
        {
            return new TfaError(ErrorKind.Forbidden,
                $"This API key cannot grant {string.Join(", ", beyond.Select(s => $"'{s}'"))}: a new key's scopes must be among its creator's ({string.Join(", ", caller.Key.Scopes)})");
        }

        (string keyId, string clear) = ApiKeyFormat.Generate();
        var key = new ApiKey(keyId, target, name ?? string.Empty, ApiKeyFormat.Hash(clear), scopes!.Distinct(StringComparer.Ordinal).ToArray(), now, expiresAt, null, null);
        await store.CreateKeyAsync(key, cancellationToken);
        return new CreatedKey(key, clear);
    }

    /// <summary>The caller's keys; an operator admin may name a tenant, or none for every tenant's keys.</summary>
    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(Caller caller, string? tenantId, CancellationToken cancellationToken) =>
        store.ListKeysAsync(caller.IsOperatorAdmin ? tenantId : caller.TenantId, cancellationToken);

    public async Task<Result<ApiKey>> RevokeKeyAsync(Caller caller, string keyId, CancellationToken cancellationToken)
    {
        ApiKey? key = await store.FindKeyAsync(keyId, cancellationToken);
        if (key is null || (key.TenantId != caller.TenantId && !caller.IsOperatorAdmin))
        {
            return new TfaError(ErrorKind.NotFound, "API key not found");
        }

        ApiKey? revoked = await store.RevokeKeyAsync(keyId, time.GetUtcNow(), cancellationToken);
        _cache.TryRemove(keyId, out _);
        return revoked is null ? new TfaError(ErrorKind.NotFound, "API key not found") : revoked;
    }
}
