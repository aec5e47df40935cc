using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresIdempotencyStore(PostgresStore store) : IIdempotencyStore
{
    public async Task<IdempotencyBegin> BeginIdempotentAsync(string tenantId, string scope, string key, byte[] fingerprint, DateTimeOffset now, TimeSpan inFlightTimeout, CancellationToken cancellationToken)
    {
        // One statement: claim the key when it is free, expired or abandoned by a crashed
        // owner; otherwise return the row as it is. ON CONFLICT makes concurrent claims safe
        // on every node.
        IReadOnlyList<(bool Claimed, byte[] Fingerprint, bool Completed, int Status, byte[]? Body)> rows = await store.QueryAsync(
            """
            INSERT INTO idempotency_keys AS k (tenant_id, scope, key, fingerprint, completed, started_at)
            VALUES (@tenant, @scope, @key, @fingerprint, false, @now)
            ON CONFLICT (tenant_id, scope, key) DO UPDATE
                SET fingerprint = EXCLUDED.fingerprint, completed = false, status = NULL, body = NULL, started_at = EXCLUDED.started_at, expires_at = NULL
                WHERE (k.completed AND k.expires_at <= @now) OR (NOT k.completed AND k.started_at <= @stale)
            RETURNING true, k.fingerprint, k.completed, COALESCE(k.status, 0), k.body
            """,
            c => c.Text("tenant", tenantId).Text("scope", scope).Text("key", key).Bytes("fingerprint", fingerprint)
                .Time("now", now).Time("stale", now - inFlightTimeout),
            r => (r.GetBoolean(0), (byte[])r.GetValue(1), r.GetBoolean(2), r.GetInt32(3), r.IsDBNull(4) ? null : (byte[])r.GetValue(4)),
            cancellationToken);
        if (rows.Count == 1)
        {
            return new IdempotencyBegin.Started();
        }

        IReadOnlyList<(byte[] Fingerprint, bool Completed, int Status, byte[]? Body)> existing = await store.QueryAsync(
            "SELECT fingerprint, completed, COALESCE(status, 0), body FROM idempotency_keys WHERE tenant_id = @tenant AND scope = @scope AND key = @key",
            c => c.Text("tenant", tenantId).Text("scope", scope).Text("key", key),
            r => ((byte[])r.GetValue(0), r.GetBoolean(1), r.GetInt32(2), r.IsDBNull(3) ? null : (byte[])r.GetValue(3)),
            cancellationToken);
        if (existing.Count == 0)
        {
            // Abandoned between the two statements: try again.
            return await BeginIdempotentAsync(tenantId, scope, key, fingerprint, now, inFlightTimeout, cancellationToken);
        }

        (byte[] stored, bool completed, int status, byte[]? body) = existing[0];
        if (!stored.AsSpan().SequenceEqual(fingerprint))
        {
            return new IdempotencyBegin.Mismatch();
        }

        return completed ? new IdempotencyBegin.Completed(status, body ?? []) : new IdempotencyBegin.InFlight();
    }

    public Task CompleteIdempotentAsync(string tenantId, string scope, string key, int status, byte[] body, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            "UPDATE idempotency_keys SET completed = true, status = @status, body = @body, expires_at = @expires WHERE tenant_id = @tenant AND scope = @scope AND key = @key",
            c => c.Text("tenant", tenantId).Text("scope", scope).Text("key", key).Int("status", status).Bytes("body", body).Time("expires", expiresAt),
            cancellationToken);

    public Task AbandonIdempotentAsync(string tenantId, string scope, string key, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            "DELETE FROM idempotency_keys WHERE tenant_id = @tenant AND scope = @scope AND key = @key AND NOT completed",
            c => c.Text("tenant", tenantId).Text("scope", scope).Text("key", key),
            cancellationToken);
}
