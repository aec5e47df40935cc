namespace OpenTfa.Core.Tenancy;

public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>The tenant of the operator who runs the service; its admin keys act on every tenant.</summary>
    public const string OperatorId = "operator";
}

public sealed record ApiKey(
    string Id,
    string TenantId,
    string Name,
    byte[] Hash,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool HasScope(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>Who is calling: the key and the tenant it belongs to.</summary>
public sealed record Caller(string TenantId, ApiKey Key)
{
    public bool IsOperatorAdmin => TenantId == Tenant.OperatorId && Key.HasScope(Scopes.Admin);
}
