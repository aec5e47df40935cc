using Microsoft.Data.Sqlite;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteTenantStore(SqliteStore store) : ITenantStore
{
    private const string KeyColumns = "id, tenant_id, name, hash, scopes, created_at, expires_at, last_used_at, revoked_at";

    public Task<bool> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await InsertTenantAsync(c, t, tenant, cancellationToken) == 1, cancellationToken);

    public Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, "SELECT id, name, created_at FROM tenants WHERE id = $id", ReadTenant, cancellationToken, ("$id", tenantId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<Tenant>>(async c => await QueryAsync(c, null, "SELECT id, name, created_at FROM tenants ORDER BY created_at, id", ReadTenant, cancellationToken), cancellationToken);

    public Task<string?> GetTenantSendersAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, "SELECT senders FROM tenant_senders WHERE tenant_id = $tenant",
            r => r.GetString(0), cancellationToken, ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task SetTenantSendersAsync(string tenantId, string? sendersJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => sendersJson is null
            ? ExecuteAsync(c, t, "DELETE FROM tenant_senders WHERE tenant_id = $tenant", cancellationToken, ("$tenant", tenantId))
            : ExecuteAsync(c, t, "INSERT OR REPLACE INTO tenant_senders(tenant_id, senders, updated_at) VALUES ($tenant, $senders, $now)",
                cancellationToken, ("$tenant", tenantId), ("$senders", sendersJson), ("$now", Ms(now))), cancellationToken);

    public Task CreateKeyAsync(ApiKey key, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => InsertKeyAsync(c, t, key, cancellationToken), cancellationToken);

    public Task<bool> CreateFirstKeyAsync(Tenant tenant, ApiKey key, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            await using SqliteCommand count = Command(c, t, "SELECT COUNT(*) FROM api_keys");
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                return false;
            }

            await InsertTenantAsync(c, t, tenant, cancellationToken);
            await InsertKeyAsync(c, t, key, cancellationToken);
            return true;
        }, cancellationToken);

    public Task<ApiKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, $"SELECT {KeyColumns} FROM api_keys WHERE id = $id", ReadKey, cancellationToken, ("$id", keyId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string? tenantId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<ApiKey>>(async c => await QueryAsync(c, null,
            $"SELECT {KeyColumns} FROM api_keys WHERE $tenant IS NULL OR tenant_id = $tenant ORDER BY created_at, id", ReadKey, cancellationToken, ("$tenant", tenantId)), cancellationToken);

    public Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            await ExecuteAsync(c, t, "UPDATE api_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL", cancellationToken, ("$id", keyId), ("$now", Ms(now)));
            return (await QueryAsync(c, t, $"SELECT {KeyColumns} FROM api_keys WHERE id = $id", ReadKey, cancellationToken, ("$id", keyId))).FirstOrDefault();
        }, cancellationToken);

    public Task TouchKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t, "UPDATE api_keys SET last_used_at = $now WHERE id = $id", cancellationToken, ("$id", keyId), ("$now", Ms(now))), cancellationToken);

    private static Task<int> InsertTenantAsync(SqliteConnection c, SqliteTransaction t, Tenant tenant, CancellationToken cancellationToken) =>
        ExecuteAsync(c, t, "INSERT OR IGNORE INTO tenants(id, name, created_at) VALUES ($id, $name, $at)", cancellationToken,
            ("$id", tenant.Id), ("$name", tenant.Name), ("$at", Ms(tenant.CreatedAt)));

    private static Task<int> InsertKeyAsync(SqliteConnection c, SqliteTransaction t, ApiKey key, CancellationToken cancellationToken) =>
        ExecuteAsync(c, t, $"INSERT INTO api_keys({KeyColumns}) VALUES ($id, $tenant, $name, $hash, $scopes, $created, $expires, $used, $revoked)", cancellationToken,
            ("$id", key.Id), ("$tenant", key.TenantId), ("$name", key.Name), ("$hash", key.Hash), ("$scopes", string.Join(' ', key.Scopes)),
            ("$created", Ms(key.CreatedAt)), ("$expires", Ms(key.ExpiresAt)), ("$used", Ms(key.LastUsedAt)), ("$revoked", Ms(key.RevokedAt)));

    private static Tenant ReadTenant(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), Time(r, 2));

    private static ApiKey ReadKey(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3),
        r.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries), Time(r, 5), OptionalTime(r, 6), OptionalTime(r, 7), OptionalTime(r, 8));
}
