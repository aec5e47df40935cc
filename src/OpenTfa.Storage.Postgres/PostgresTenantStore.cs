using Npgsql;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresTenantStore(PostgresStore store) : ITenantStore
{
    private const string KeyColumns = "id, tenant_id, name, hash, scopes, created_at, expires_at, last_used_at, revoked_at";

    /// <summary>Serializes first-key bootstrap across every node sharing the database.</summary>
    private static readonly long BootstrapLock = Sql.LockKey("bootstrap", "first-key");

    public async Task<bool> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        return await store.ExecuteAsync(
            "INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, @created) ON CONFLICT (id) DO NOTHING",
            c => c.Text("id", tenant.Id).Text("name", tenant.Name).Time("created", tenant.CreatedAt),
            cancellationToken) == 1;
    }

    public async Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Tenant> found = await store.QueryAsync(
            "SELECT id, name, created_at FROM tenants WHERE id = @id", c => c.Text("id", tenantId), ReadTenant, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken) =>
        store.QueryAsync("SELECT id, name, created_at FROM tenants ORDER BY created_at, id", _ => { }, ReadTenant, cancellationToken);

    public async Task<string?> GetTenantSendersAsync(string tenantId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> found = await store.QueryAsync("SELECT senders FROM tenant_senders WHERE tenant_id = @tenant",
            c => c.Text("tenant", tenantId), r => r.GetString(0), cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task SetTenantSendersAsync(string tenantId, string? sendersJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        sendersJson is null
            ? store.ExecuteAsync("DELETE FROM tenant_senders WHERE tenant_id = @tenant", c => c.Text("tenant", tenantId), cancellationToken)
            : store.ExecuteAsync(
                """
                INSERT INTO tenant_senders (tenant_id, senders, updated_at) VALUES (@tenant, @senders, @now)
                ON CONFLICT (tenant_id) DO UPDATE SET senders = EXCLUDED.senders, updated_at = EXCLUDED.updated_at
                """,
                c => c.Text("tenant", tenantId).Text("senders", sendersJson).Time("now", now), cancellationToken);

    public async Task CreateKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await InsertKeyAsync(connection, null, key, cancellationToken);
    }

    public async Task<bool> CreateFirstKeyAsync(Tenant tenant, ApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(key);
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);

        // "No key at all" cannot be locked as a row, so nodes starting together take one advisory lock.
        await Sql.LockAsync(connection, transaction, BootstrapLock, cancellationToken);
        await using (NpgsqlCommand any = connection.Command("SELECT EXISTS (SELECT 1 FROM api_keys)", transaction))
        {
            if ((bool)(await any.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }
        }

        await using (NpgsqlCommand insertTenant = connection.Command(
            "INSERT INTO tenants (id, name, created_at) VALUES (@id, @name, @created) ON CONFLICT (id) DO NOTHING", transaction)
            .Text("id", tenant.Id).Text("name", tenant.Name).Time("created", tenant.CreatedAt))
        {
            await insertTenant.ExecuteNonQueryAsync(cancellationToken);
        }

        await InsertKeyAsync(connection, transaction, key, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<ApiKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        IReadOnlyList<ApiKey> found = await store.QueryAsync(
            $"SELECT {KeyColumns} FROM api_keys WHERE id = @id", c => c.Text("id", keyId), ReadKey, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<ApiKey>> ListKeysAsync(string? tenantId, CancellationToken cancellationToken) =>
        store.QueryAsync(
            $"SELECT {KeyColumns} FROM api_keys WHERE @tenant IS NULL OR tenant_id = @tenant ORDER BY created_at, id",
            c => c.Text("tenant", tenantId), ReadKey, cancellationToken);

    public async Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A key is revoked once: a second revocation keeps the first time.
        IReadOnlyList<ApiKey> revoked = await store.QueryAsync(
            $"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @now) WHERE id = @id RETURNING {KeyColumns}",
            c => c.Text("id", keyId).Time("now", now), ReadKey, cancellationToken);
        return revoked.Count == 0 ? null : revoked[0];
    }

    public Task TouchKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ExecuteAsync("UPDATE api_keys SET last_used_at = @now WHERE id = @id", c => c.Text("id", keyId).Time("now", now), cancellationToken);

    private static async Task InsertKeyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, ApiKey key, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = connection.Command(
            $"INSERT INTO api_keys ({KeyColumns}) VALUES (@id, @tenant, @name, @hash, @scopes, @created, @expires, @used, @revoked)", transaction)
            .Text("id", key.Id).Text("tenant", key.TenantId).Text("name", key.Name).Bytes("hash", key.Hash).Texts("scopes", key.Scopes)
            .Time("created", key.CreatedAt).Time("expires", key.ExpiresAt).Time("used", key.LastUsedAt).Time("revoked", key.RevokedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Tenant ReadTenant(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetTime(2));

    private static ApiKey ReadKey(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<byte[]>(3), r.GetFieldValue<string[]>(4),
        r.GetTime(5), r.GetTimeOrNull(6), r.GetTimeOrNull(7), r.GetTimeOrNull(8));
}
