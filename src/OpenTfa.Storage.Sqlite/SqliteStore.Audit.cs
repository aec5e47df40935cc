using Microsoft.Data.Sqlite;
using OpenTfa.Core.Observability;

namespace OpenTfa.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string AuditColumns = "id, at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details";

    public Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(async (c, t) =>
        {
            List<long> ids = await QueryAsync(c, t,
                """
                INSERT INTO audit_log(at, tenant_id, actor_tenant_id, actor_key_id, action, target_type, target_id, details)
                VALUES ($at, $tenant, $actorTenant, $actorKey, $action, $type, $target, $details) RETURNING id
                """,
                r => r.GetInt64(0), cancellationToken,
                ("$at", Ms(entry.At)), ("$tenant", entry.TenantId), ("$actorTenant", entry.ActorTenantId), ("$actorKey", entry.ActorKeyId), ("$action", entry.Action),
                ("$type", entry.TargetType), ("$target", entry.TargetId), ("$details", entry.Details));
            return entry with { Id = ids[0] };
        }, cancellationToken);

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(AuditQuery query, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<AuditEntry>>(async c => await QueryAsync(c, null,
            $"""
            SELECT {AuditColumns} FROM audit_log
            WHERE ($tenant IS NULL OR tenant_id = $tenant) AND ($from IS NULL OR at >= $from) AND ($to IS NULL OR at < $to) AND ($before IS NULL OR id < $before)
            ORDER BY id DESC LIMIT $limit
            """,
            ReadAudit, cancellationToken,
            ("$tenant", query.TenantId), ("$from", Ms(query.From)), ("$to", Ms(query.To)), ("$before", query.BeforeId), ("$limit", query.Limit)), cancellationToken);

    private static AuditEntry ReadAudit(SqliteDataReader r) => new(
        r.GetInt64(0), Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), OptionalString(r, 7), OptionalString(r, 8));
}
