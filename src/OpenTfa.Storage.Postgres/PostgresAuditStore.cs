using Npgsql;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresAuditStore(PostgresStore store) : IAuditStore
{
    // An entry's public id is random; the internal id keeps the order of appends for paging.
    private const string AuditColumns = "public_id, at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details";

    public async Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        while (true)
        {
            long id = Ids.NewNumeric();
            IReadOnlyList<long> ids = await store.QueryAsync(
                """
                INSERT INTO audit_log (public_id, at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details)
                VALUES (@id, @at, @tenant, @actorTenant, @actorKey, @action, @type, @target, @details) ON CONFLICT (public_id) DO NOTHING RETURNING public_id
                """,
                c => c.Long("id", id).Time("at", entry.At).Text("tenant", entry.TenantId).Text("actorTenant", entry.ActorTenantId).Text("actorKey", entry.ActorKeyId)
                    .Text("action", entry.Action).Text("type", entry.TargetType).Text("target", entry.TargetId).Text("details", entry.Details),
                r => r.GetInt64(0), cancellationToken);
            if (ids.Count == 1)
            {
                return entry with { Id = id };
            }
        }
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return store.QueryAsync(
            $"""
            SELECT {AuditColumns} FROM audit_log
            WHERE (@tenant::text IS NULL OR tenant_id = @tenant) AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
              AND (@before::bigint IS NULL OR id < (SELECT b.id FROM audit_log b WHERE b.public_id = @before))
            ORDER BY id DESC LIMIT @limit
            """,
            c => c.Text("tenant", query.TenantId).Time("from", query.From).Time("to", query.To).Long("before", query.BeforeId).Int("limit", query.Limit),
            ReadAudit, cancellationToken);
    }

    private static AuditEntry ReadAudit(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetTime(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetStringOrNull(7), r.GetStringOrNull(8));
}
