using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteIdempotencyStore(SqliteStore store) : IIdempotencyStore
{
    public Task<IdempotencyBegin> BeginIdempotentAsync(string tenantId, string scope, string key, byte[] fingerprint, DateTimeOffset now, TimeSpan inFlightTimeout, CancellationToken cancellationToken) =>
        store.WriteAsync<IdempotencyBegin>(async (c, t) =>
        {
            var row = (await QueryAsync(c, t,
                "SELECT fingerprint, completed, status, body, started_at, expires_at FROM idempotency_keys WHERE tenant_id = $tenant AND scope = $scope AND key = $key",
                r => (Fingerprint: (byte[])r.GetValue(0), Completed: r.GetBoolean(1), Status: r.IsDBNull(2) ? 0 : r.GetInt32(2),
                    Body: r.IsDBNull(3) ? [] : (byte[])r.GetValue(3), StartedAt: Time(r, 4), ExpiresAt: OptionalTime(r, 5)),
                cancellationToken, ("$tenant", tenantId), ("$scope", scope), ("$key", key))).FirstOrDefault();

            bool usable = row.Fingerprint is not null && (row.Completed ? row.ExpiresAt > now : now - row.StartedAt < inFlightTimeout);
            if (usable)
            {
                if (!row.Fingerprint!.AsSpan().SequenceEqual(fingerprint))
                {
                    return new IdempotencyBegin.Mismatch();
                }

                return row.Completed ? new IdempotencyBegin.Completed(row.Status, row.Body) : new IdempotencyBegin.InFlight();
            }

            await ExecuteAsync(c, t,
                """
                INSERT OR REPLACE INTO idempotency_keys(tenant_id, scope, key, fingerprint, completed, status, body, started_at, expires_at)
                VALUES ($tenant, $scope, $key, $fingerprint, 0, NULL, NULL, $now, NULL)
                """, cancellationToken,
                ("$tenant", tenantId), ("$scope", scope), ("$key", key), ("$fingerprint", fingerprint), ("$now", Ms(now)));
            return new IdempotencyBegin.Started();
        }, cancellationToken);

    public Task CompleteIdempotentAsync(string tenantId, string scope, string key, int status, byte[] body, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "UPDATE idempotency_keys SET completed = 1, status = $status, body = $body, expires_at = $expires WHERE tenant_id = $tenant AND scope = $scope AND key = $key",
            cancellationToken, ("$tenant", tenantId), ("$scope", scope), ("$key", key), ("$status", status), ("$body", body), ("$expires", Ms(expiresAt))),
            cancellationToken);

    public Task AbandonIdempotentAsync(string tenantId, string scope, string key, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "DELETE FROM idempotency_keys WHERE tenant_id = $tenant AND scope = $scope AND key = $key AND completed = 0",
            cancellationToken, ("$tenant", tenantId), ("$scope", scope), ("$key", key)),
            cancellationToken);
}
