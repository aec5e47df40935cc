using Microsoft.Data.Sqlite;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteAnalyticsStore(SqliteStore store) : IAnalyticsStore
{
    public Task<IReadOnlyList<PinFacts>> ListPinFactsAsync(PinFactsQuery query, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<PinFacts>>(async c => await QueryAsync(c, null,
            """
            SELECT p.id, p.application_id, p.kind, p.destination, p.created_at, p.sent, p.verified_at,
                (SELECT MIN(o.delivered_at) FROM outbox o WHERE o.pin_id = p.id AND o.state = $delivered),
                (SELECT COUNT(*) FROM outbox o WHERE o.pin_id = p.id),
                (SELECT COUNT(*) FROM outbox o WHERE o.pin_id = p.id AND o.state = $delivered),
                (SELECT COUNT(*) FROM outbox o WHERE o.pin_id = p.id AND o.state = $failed),
                (SELECT group_concat(o.step || ':' || o.kind || ':' || o.state || ':' || o.created_at || ':' || coalesce(o.delivered_at, ''), ',')
                    FROM outbox o WHERE o.pin_id = p.id AND o.step IS NOT NULL)
            FROM pins p
            WHERE p.tenant_id = $tenant AND p.created_at >= $from AND p.created_at < $to AND ($app IS NULL OR p.application_id = $app)
              AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.pin_id = p.id AND o.channel_name = 'test-number')
            ORDER BY p.created_at, p.rowid LIMIT $limit
            """,
            r => new PinFacts(r.GetString(0), r.GetString(1), (ChannelKind)r.GetInt32(2), r.GetString(3), Time(r, 4), r.GetBoolean(5), OptionalTime(r, 6), OptionalTime(r, 7),
                r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), StepFact.ParseList(OptionalString(r, 11))),
            cancellationToken,
            ("$tenant", query.TenantId), ("$app", query.ApplicationId), ("$from", Ms(query.From)), ("$to", Ms(query.To)), ("$limit", query.Limit),
            ("$delivered", (int)MessageState.Delivered), ("$failed", (int)MessageState.Failed)), cancellationToken);

    public Task<IReadOnlyList<PinHistoryEntry>> ListDestinationHistoryAsync(string tenantId, string applicationId, string destination, int limit, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<PinHistoryEntry>>(async c => await QueryAsync(c, null,
            """
            SELECT id, kind, destination, created_at, expires_at, sent, verified_at, attempts_remaining, consumed, pin_data IS NULL FROM pins
            WHERE tenant_id = $tenant AND application_id = $app AND destination = $dest
            ORDER BY created_at DESC, rowid DESC LIMIT $limit
            """,
            r => new PinHistoryEntry(r.GetString(0), (ChannelKind)r.GetInt32(1), r.GetString(2), Time(r, 3), Time(r, 4), r.GetBoolean(5), OptionalTime(r, 6), r.GetInt32(7),
                r.GetBoolean(8), r.GetBoolean(9)),
            cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$dest", destination), ("$limit", limit)), cancellationToken);

    public Task<PinStoryFacts?> GetPinStoryAsync(string tenantId, string pinId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null,
            """
            SELECT id, kind, destination, created_at, expires_at, sent, verified_at, attempts_remaining, consumed, pin_data IS NULL,
                   application_id, template_id, verify_log FROM pins
            WHERE tenant_id = $tenant AND id = $id
            """,
            r => new PinStoryFacts(
                new PinHistoryEntry(r.GetString(0), (ChannelKind)r.GetInt32(1), r.GetString(2), Time(r, 3), Time(r, 4), r.GetBoolean(5), OptionalTime(r, 6), r.GetInt32(7), r.GetBoolean(8), r.GetBoolean(9)),
                r.GetString(10), r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12)),
            cancellationToken, ("$tenant", tenantId), ("$id", pinId))).FirstOrDefault(), cancellationToken);

    public Task<QueueStats> GetQueueStatsAsync(CancellationToken cancellationToken) =>
        store.ReadAsync(async c =>
        {
            List<QueueStats> stats = await QueryAsync(c, null,
                """
                SELECT (SELECT COUNT(*) FROM outbox WHERE state = $queued), (SELECT MIN(created_at) FROM outbox WHERE state = $queued),
                       (SELECT COUNT(*) FROM webhook_deliveries WHERE state = $pending), (SELECT MIN(created_at) FROM webhook_deliveries WHERE state = $pending)
                """,
                r => new QueueStats(r.GetInt32(0), OptionalTime(r, 1), r.GetInt32(2), OptionalTime(r, 3)),
                cancellationToken, ("$queued", (int)MessageState.Queued), ("$pending", (int)Core.Webhooks.WebhookDeliveryState.Pending));
            return stats[0];
        }, cancellationToken);

    public Task<MessageFacts?> GetMessageFactsAsync(string messageId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, $"SELECT {SqliteOutboxStore.StatusColumns}, application_id FROM outbox WHERE id = $id", ReadFacts, cancellationToken,
            ("$id", messageId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<MessageFacts>> FindMessageFactsAsync(string channelName, string channelMessageId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<MessageFacts>>(async c => await QueryAsync(c, null,
            $"SELECT {SqliteOutboxStore.StatusColumns}, application_id FROM outbox WHERE channel_name = $channel AND channel_message_id = $cid", ReadFacts, cancellationToken,
            ("$channel", channelName), ("$cid", channelMessageId)), cancellationToken);

    public Task<IReadOnlyList<ExpiredPin>> ClaimExpiredPinsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ExpiredPin>>(async (c, t) =>
        {
            List<(ExpiredPin Pin, bool Unused)> due = await QueryAsync(c, t,
                """
                SELECT id, tenant_id, application_id, kind, destination, created_at, expires_at,
                    sent = 1 AND verified_at IS NULL AND consumed = 0 AND attempts_remaining > 0
                FROM pins WHERE expiry_announced = 0 AND expires_at <= $now ORDER BY expires_at LIMIT $max
                """,
                r => (new ExpiredPin(r.GetString(0), r.GetString(1), r.GetString(2), (ChannelKind)r.GetInt32(3), r.GetString(4), Time(r, 5), Time(r, 6)), r.GetBoolean(7)),
                cancellationToken, ("$now", Ms(now)), ("$max", max));
            foreach ((ExpiredPin pin, _) in due)
            {
                await ExecuteAsync(c, t, "UPDATE pins SET expiry_announced = 1 WHERE id = $id", cancellationToken, ("$id", pin.PinId));
            }

            return due.Where(d => d.Unused).Select(d => d.Pin).ToList();
        }, cancellationToken);

    private static MessageFacts ReadFacts(SqliteDataReader r) => new(SqliteOutboxStore.ReadStatus(r), r.GetString(14));
}
