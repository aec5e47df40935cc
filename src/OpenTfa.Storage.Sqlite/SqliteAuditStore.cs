using Microsoft.Data.Sqlite;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteAuditStore(SqliteStore store) : IAuditStore
{
    // An entry's public id is random; the internal id keeps the order of appends for paging.
    private const string AuditColumns = "public_id, at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details";

    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            while (true)
            {
                long id = Ids.NewNumeric();
                List<long> ids = await QueryAsync(c, t,
                    """
                    INSERT INTO audit_log(public_id, at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details)
                    VALUES ($id, $at, $tenant, $actorTenant, $actorKey, $action, $type, $target, $details) ON CONFLICT (public_id) DO NOTHING RETURNING public_id
                    """,
                    r => r.GetInt64(0), cancellationToken,
                    ("$id", id), ("$at", Ms(entry.At)), ("$tenant", entry.TenantId), ("$actorTenant", entry.ActorTenantId), ("$actorKey", entry.ActorKeyId), ("$action", entry.Action),
                    ("$type", entry.TargetType), ("$target", entry.TargetId), ("$details", entry.Details));
                if (ids.Count == 1)
                {
                    return entry with { Id = id };
                }
            }
        }, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<AuditEntry>>(async c => await QueryAsync(c, null,
            $"""
            SELECT {AuditColumns} FROM audit_log
            WHERE ($tenant IS NULL OR tenant_id = $tenant) AND ($from IS NULL OR at >= $from) AND ($to IS NULL OR at < $to) AND ($before IS NULL OR id < (SELECT b.id FROM audit_log b WHERE b.public_id = $before))
            ORDER BY id DESC LIMIT $limit
            """,
            ReadAudit, cancellationToken,
            ("$tenant", query.TenantId), ("$from", Ms(query.From)), ("$to", Ms(query.To)), ("$before", query.BeforeId), ("$limit", query.Limit)), cancellationToken);

    private static AuditEntry ReadAudit(SqliteDataReader r) => new(
        r.GetInt64(0), Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), OptionalString(r, 7), OptionalString(r, 8));
}
