using System.Security.Cryptography;
using System.Text;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Tenancy;

/// <summary>A signed-in console session: the key it acts for, its own secret (kept only in an HttpOnly cookie) and its CSRF token.</summary>
public sealed record ConsoleSession(Caller Caller, ApiKey SessionKey, string Secret)
{
    public string CsrfToken => ConsoleSessions.CsrfTokenOf(Secret);
}

/// <summary>
/// Console sign-in. An API key is exchanged for a session secret that lives only in the browser's
/// HttpOnly cookie. A session is stored as a key of its own — no scopes, named
/// <c>console:&lt;key id&gt;</c>, expiring after the session lifetime — so it is durable,
/// seen by every node, listed with the tenant's keys and revoked like one. It acts with the
/// scopes its signing key holds at each request: revoking or narrowing that key takes effect on
/// its sessions within <see cref="AccessService.KeyCacheDuration"/>.
/// </summary>
public sealed class ConsoleSessions(AccessService access, ITenantStore store, TimeProvider time, TimeSpan lifetime)
{
    public const string NamePrefix = "console:";

    /// <summary>
    /// Whether a key is a console session's (such a key is accepted only from the session cookie):
    /// named with the prefix no other key may take, without scopes, and expiring.
    /// </summary>
    public static bool IsSessionKey(ApiKey key) =>
        key.Name.StartsWith(NamePrefix, StringComparison.Ordinal) && key.Scopes.Count == 0 && key.ExpiresAt is not null;

    /// <summary>
    /// The CSRF token a session's changes must carry: a hash of its secret, so the page may read
    /// it while the secret itself stays out of reach of scripts, and every node derives it alike.
    /// </summary>
    public static string CsrfTokenOf(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("opentfa console csrf\n" + secret)));

    public static bool CsrfMatches(string secret, string? presented) =>
        presented is { Length: 64 } && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(CsrfTokenOf(secret)), Encoding.ASCII.GetBytes(presented));

    /// <summary>Starts a session for a valid API key; null when the key is wrong, revoked, expired, or itself a session.</summary>
    public async Task<ConsoleSession?> SignInAsync(string apiKey, CancellationToken cancellationToken)
    {
        Caller? caller = await access.AuthenticateAsync(apiKey, cancellationToken);
        if (caller is null || IsSessionKey(caller.Key))
        {
            return null;
        }

        DateTimeOffset now = time.GetUtcNow();
        (string keyId, string secret) = ApiKeyFormat.Generate();
        var sessionKey = new ApiKey(keyId, caller.TenantId, NamePrefix + caller.Key.Id, ApiKeyFormat.Hash(secret), [], now, now + lifetime, null, null);
        await store.CreateKeyAsync(sessionKey, cancellationToken);
        return new ConsoleSession(caller, sessionKey, secret);
    }

    /// <summary>The session a cookie's secret belongs to, acting as its signing key; null when either is no longer usable.</summary>
    public async Task<ConsoleSession?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (await access.AuthenticateAsync(secret, cancellationToken) is not { } session || !IsSessionKey(session.Key))
        {
            return null;
        }

        ApiKey? signer = await access.FindUsableKeyAsync(session.Key.Name[NamePrefix.Length..], cancellationToken);
        return signer is null || signer.TenantId != session.TenantId ? null : new ConsoleSession(new Caller(signer.TenantId, signer), session.Key, secret);
    }

    /// <summary>Ends the session on every node.</summary>
    public async Task SignOutAsync(ConsoleSession session, CancellationToken cancellationToken) =>
        await access.RevokeKeyAsync(session.Caller with { Key = session.SessionKey }, session.SessionKey.Id, cancellationToken);
}
