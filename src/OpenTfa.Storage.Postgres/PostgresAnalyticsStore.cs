using Npgsql;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresAnalyticsStore(PostgresStore store) : IAnalyticsStore
{
    public Task<IReadOnlyList<PinFacts>> ListPinFactsAsync(PinFactsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        return store.QueryAsync(
            """
            SELECT p.id, p.application_id, p.kind, p.destination, p.created_at, p.sent, p.verified_at,
                m.first_delivered, COALESCE(m.total, 0), COALESCE(m.delivered, 0), COALESCE(m.failed, 0), m.steps
            FROM pins p
            LEFT JOIN LATERAL (
                SELECT min(o.delivered_at) FILTER (WHERE o.state = 'Delivered') AS first_delivered, count(*)::int AS total,
                    (count(*) FILTER (WHERE o.state = 'Delivered'))::int AS delivered, (count(*) FILTER (WHERE o.state = 'Failed'))::int AS failed,
                    string_agg(o.step || ':' || o.kind || ':' || o.state || ':' || (extract(epoch FROM o.created_at) * 1000)::bigint || ':'
                        || coalesce(((extract(epoch FROM o.delivered_at) * 1000)::bigint)::text, ''), ',') FILTER (WHERE o.step IS NOT NULL) AS steps
                FROM outbox_messages o WHERE o.pin_id = p.id) m ON true
            WHERE p.tenant_id = @tenant AND p.created_at >= @from AND p.created_at < @to AND (@application::text IS NULL OR p.application_id = @application)
              AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.pin_id = p.id AND o.channel_name = 'test-number')
            ORDER BY p.created_at, p.id LIMIT @limit
            """,
            c => c.Text("tenant", query.TenantId).Text("application", query.ApplicationId).Time("from", query.From).Time("to", query.To).Int("limit", query.Limit),
            r => new PinFacts(r.GetString(0), r.GetString(1), r.GetEnum<ChannelKind>(2), r.GetString(3), r.GetTime(4), r.GetBoolean(5), r.GetTimeOrNull(6),
                r.GetTimeOrNull(7), r.GetInt32(8), r.GetInt32(9), r.GetInt32(10), StepFact.ParseList(r.GetStringOrNull(11))),
            cancellationToken);
    }

    public Task<IReadOnlyList<PinHistoryEntry>> ListDestinationHistoryAsync(string tenantId, string applicationId, string destination, int limit, CancellationToken cancellationToken) =>
        store.QueryAsync(
            """
            SELECT id, kind, destination, created_at, expires_at, sent, verified_at, attempts_remaining, consumed, pruned FROM pins
            WHERE tenant_id = @tenant AND application_id = @application AND destination = @destination
            ORDER BY created_at DESC, id DESC LIMIT @limit
            """,
            c => c.Text("tenant", tenantId).Text("application", applicationId).Text("destination", destination).Int("limit", limit),
            r => new PinHistoryEntry(r.GetString(0), r.GetEnum<ChannelKind>(1), r.GetString(2), r.GetTime(3), r.GetTime(4), r.GetBoolean(5), r.GetTimeOrNull(6),
                r.GetInt32(7), r.GetBoolean(8), r.GetBoolean(9)),
            cancellationToken);

    public async Task<PinStoryFacts?> GetPinStoryAsync(string tenantId, string pinId, CancellationToken cancellationToken)
    {
        IReadOnlyList<PinStoryFacts> found = await store.QueryAsync(
            """
            SELECT id, kind, destination, created_at, expires_at, sent, verified_at, attempts_remaining, consumed, pruned,
                   application_id, template_id, verify_log FROM pins
            WHERE tenant_id = @tenant AND id = @id
            """,
            c => c.Text("tenant", tenantId).Text("id", pinId),
            r => new PinStoryFacts(
                new PinHistoryEntry(r.GetString(0), r.GetEnum<ChannelKind>(1), r.GetString(2), r.GetTime(3), r.GetTime(4), r.GetBoolean(5), r.GetTimeOrNull(6), r.GetInt32(7), r.GetBoolean(8), r.GetBoolean(9)),
                r.GetString(10), r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12)),
            cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<QueueStats> GetQueueStatsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<QueueStats> stats = await store.QueryAsync(
            """
            SELECT (SELECT count(*)::int FROM outbox_messages WHERE state = 'Queued'), (SELECT min(created_at) FROM outbox_messages WHERE state = 'Queued'),
                   (SELECT count(*)::int FROM webhook_deliveries WHERE state = 'Pending'), (SELECT min(created_at) FROM webhook_deliveries WHERE state = 'Pending')
            """,
            _ => { }, r => new QueueStats(r.GetInt32(0), r.GetTimeOrNull(1), r.GetInt32(2), r.GetTimeOrNull(3)), cancellationToken);
        return stats[0];
    }

    public async Task<MessageFacts?> GetMessageFactsAsync(string messageId, CancellationToken cancellationToken)
    {
        IReadOnlyList<MessageFacts> found = await store.QueryAsync($"SELECT {PostgresOutboxStore.StatusColumns}, application_id FROM outbox_messages WHERE id = @id",
            c => c.Text("id", messageId), ReadFacts, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<MessageFacts>> FindMessageFactsAsync(string channelName, string channelMessageId, CancellationToken cancellationToken) =>
        store.QueryAsync($"SELECT {PostgresOutboxStore.StatusColumns}, application_id FROM outbox_messages WHERE channel_name = @channel AND channel_message_id = @channelId",
            c => c.Text("channel", channelName).Text("channelId", channelMessageId), ReadFacts, cancellationToken);

    public async Task<IReadOnlyList<ExpiredPin>> ClaimExpiredPinsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        IReadOnlyList<(ExpiredPin Pin, bool Unused)> claimed = await store.QueryAsync(
            """
            WITH due AS (
                SELECT id FROM pins WHERE NOT expiry_announced AND expires_at <= @now
                ORDER BY expires_at LIMIT @max FOR UPDATE SKIP LOCKED)
            UPDATE pins p SET expiry_announced = true FROM due WHERE p.id = due.id
            RETURNING p.id, p.tenant_id, p.application_id, p.kind, p.destination, p.created_at, p.expires_at,
                p.sent AND p.verified_at IS NULL AND NOT p.consumed AND p.attempts_remaining > 0
            """,
            c => c.Time("now", now).Int("max", max),
            r => (new ExpiredPin(r.GetString(0), r.GetString(1), r.GetString(2), r.GetEnum<ChannelKind>(3), r.GetString(4), r.GetTime(5), r.GetTime(6)), r.GetBoolean(7)),
            cancellationToken);
        return claimed.Where(c => c.Unused).Select(c => c.Pin).OrderBy(p => p.ExpiresAt).ThenBy(p => p.PinId, StringComparer.Ordinal).ToList();
    }

    private static MessageFacts ReadFacts(NpgsqlDataReader r) => new(PostgresOutboxStore.ReadStatus(r), r.GetString(14));
}
