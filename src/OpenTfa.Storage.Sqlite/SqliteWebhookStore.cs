using Microsoft.Data.Sqlite;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteWebhookStore(SqliteStore store) : IWebhookStore
{
    private const string WebhookColumns = "id, tenant_id, application_id, url, events, enabled, description, secret_key, secret_data, created_at, updated_at";

    private const string DeliveryColumns =
        "id, webhook_id, tenant_id, application_id, event_id, event_type, payload, state, attempts, next_attempt_at, created_at, updated_at, last_status, last_error, delivered_at";

    public Task CreateWebhookAsync(Webhook webhook, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            $"INSERT INTO webhooks({WebhookColumns}) VALUES ($id, $tenant, $app, $url, $events, $enabled, $description, $key, $data, $created, $updated)",
            cancellationToken, WebhookParameters(webhook)), cancellationToken);

    public Task<Webhook?> GetWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, $"SELECT {WebhookColumns} FROM webhooks WHERE id = $id AND tenant_id = $tenant", ReadWebhook, cancellationToken,
            ("$id", webhookId), ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<Webhook>> ListWebhooksAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<Webhook>>(async c => await QueryAsync(c, null,
            $"SELECT {WebhookColumns} FROM webhooks WHERE tenant_id = $tenant AND application_id = $app ORDER BY created_at, rowid", ReadWebhook, cancellationToken,
            ("$tenant", tenantId), ("$app", applicationId)), cancellationToken);

    public async Task<bool> UpdateWebhookAsync(Webhook webhook, CancellationToken cancellationToken) =>
        await store.WriteAsync((c, t) => ExecuteAsync(c, t,
            """
            UPDATE webhooks SET url = $url, events = $events, enabled = $enabled, description = $description, secret_key = $key, secret_data = $data, updated_at = $updated
            WHERE id = $id AND tenant_id = $tenant AND application_id = $app
            """, cancellationToken, WebhookParameters(webhook)), cancellationToken) == 1;

    public async Task<bool> DeleteWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (c, t) =>
        {
            int deleted = await ExecuteAsync(c, t, "DELETE FROM webhooks WHERE id = $id AND tenant_id = $tenant", cancellationToken, ("$id", webhookId), ("$tenant", tenantId));
            if (deleted == 1)
            {
                await ExecuteAsync(c, t, "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $id)", cancellationToken, ("$id", webhookId));
                await ExecuteAsync(c, t, "DELETE FROM webhook_deliveries WHERE webhook_id = $id", cancellationToken, ("$id", webhookId));
            }

            return deleted;
        }, cancellationToken) == 1;

    public Task EnqueueWebhookDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            foreach (WebhookDelivery d in deliveries)
            {
                await ExecuteAsync(c, t,
                    $"""
                    INSERT INTO webhook_deliveries({DeliveryColumns})
                    VALUES ($id, $webhook, $tenant, $app, $event, $type, $payload, $state, $attempts, $next, $created, $updated, NULL, NULL, NULL)
                    """, cancellationToken,
                    ("$id", d.Id), ("$webhook", d.WebhookId), ("$tenant", d.TenantId), ("$app", d.ApplicationId), ("$event", d.EventId), ("$type", d.EventType),
                    ("$payload", d.Payload), ("$state", (int)d.State), ("$attempts", d.Attempts), ("$next", Ms(d.NextAttemptAt)), ("$created", Ms(d.CreatedAt)), ("$updated", Ms(d.UpdatedAt)));
            }

            return deliveries.Count;
        }, cancellationToken);

    public Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimDueWebhookDeliveriesAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ClaimedWebhookDelivery>>(async (c, t) =>
        {
            List<ClaimedWebhookDelivery> due = await QueryAsync(c, t,
                $"""
                SELECT {string.Join(", ", DeliveryColumns.Split(", ").Select(col => "d." + col))}, w.url, w.secret_key, w.secret_data
                FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = $pending AND d.next_attempt_at <= $now AND (d.lease_until IS NULL OR d.lease_until <= $now) AND w.enabled = 1
                ORDER BY d.next_attempt_at, d.rowid LIMIT $max
                """,
                r => new ClaimedWebhookDelivery(ReadDelivery(r), r.GetString(15), new SealedSecret(r.GetString(16), (byte[])r.GetValue(17))),
                cancellationToken, ("$pending", (int)WebhookDeliveryState.Pending), ("$now", Ms(now)), ("$max", max));
            foreach (ClaimedWebhookDelivery d in due)
            {
                await ExecuteAsync(c, t, "UPDATE webhook_deliveries SET lease_owner = $owner, lease_until = $until WHERE id = $id", cancellationToken,
                    ("$id", d.Delivery.Id), ("$owner", owner), ("$until", Ms(now + lease)));
            }

            return due;
        }, cancellationToken);

    public async Task<bool> RecordWebhookAttemptAsync(string owner, WebhookAttemptOutcome outcome, CancellationToken cancellationToken) =>
        await store.WriteAsync(async (c, t) =>
        {
            WebhookAttempt a = outcome.Attempt;
            int updated = await ExecuteAsync(c, t,
                """
                UPDATE webhook_deliveries SET state = $state, attempts = $attempt, next_attempt_at = COALESCE($next, next_attempt_at), last_status = $status, last_error = $error,
                    updated_at = $at, delivered_at = CASE WHEN $state = $delivered THEN $at ELSE delivered_at END, lease_owner = NULL, lease_until = NULL
                WHERE id = $id AND lease_owner = $owner
                """, cancellationToken,
                ("$id", outcome.DeliveryId), ("$owner", owner), ("$state", (int)outcome.State), ("$attempt", a.Attempt), ("$next", Ms(outcome.NextAttemptAt)),
                ("$status", a.Status), ("$error", a.Error), ("$at", Ms(a.At)), ("$delivered", (int)WebhookDeliveryState.Delivered));
            if (updated == 1)
            {
                await ExecuteAsync(c, t,
                    "INSERT OR REPLACE INTO webhook_attempts(delivery_id, attempt, at, status, error, duration_ms) VALUES ($id, $attempt, $at, $status, $error, $duration)",
                    cancellationToken, ("$id", outcome.DeliveryId), ("$attempt", a.Attempt), ("$at", Ms(a.At)), ("$status", a.Status), ("$error", a.Error), ("$duration", a.DurationMs));
            }

            return updated;
        }, cancellationToken) == 1;

    public Task<IReadOnlyList<WebhookDeliveryRecord>> ListWebhookDeliveriesAsync(string tenantId, string webhookId, int limit, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<WebhookDeliveryRecord>>(async c =>
        {
            List<WebhookDelivery> deliveries = await QueryAsync(c, null,
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE tenant_id = $tenant AND webhook_id = $webhook ORDER BY created_at DESC, rowid DESC LIMIT $limit",
                ReadDelivery, cancellationToken, ("$tenant", tenantId), ("$webhook", webhookId), ("$limit", limit));
            List<(string Id, WebhookAttempt Attempt)> attempts = await QueryAsync(c, null,
                """
                SELECT a.delivery_id, a.attempt, a.at, a.status, a.error, a.duration_ms FROM webhook_attempts a
                WHERE a.delivery_id IN (SELECT id FROM webhook_deliveries WHERE tenant_id = $tenant AND webhook_id = $webhook ORDER BY created_at DESC, rowid DESC LIMIT $limit)
                ORDER BY a.delivery_id, a.attempt
                """,
                r => (r.GetString(0), new WebhookAttempt(r.GetInt32(1), Time(r, 2), r.IsDBNull(3) ? null : r.GetInt32(3), OptionalString(r, 4), r.GetInt32(5))),
                cancellationToken, ("$tenant", tenantId), ("$webhook", webhookId), ("$limit", limit));
            ILookup<string, WebhookAttempt> byDelivery = attempts.ToLookup(a => a.Id, a => a.Attempt, StringComparer.Ordinal);
            return deliveries.Select(d => new WebhookDeliveryRecord(d, byDelivery[d.Id].ToList())).ToList();
        }, cancellationToken);

    public Task<int> PruneWebhookDeliveriesAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            const string old = "SELECT id FROM webhook_deliveries WHERE created_at < $cut AND state <> $pending ORDER BY created_at LIMIT 1000";
            (string, object?)[] parameters = [("$cut", Ms(before)), ("$pending", (int)WebhookDeliveryState.Pending)];
            await ExecuteAsync(c, t, $"DELETE FROM webhook_attempts WHERE delivery_id IN ({old})", cancellationToken, parameters);
            return await ExecuteAsync(c, t, $"DELETE FROM webhook_deliveries WHERE id IN ({old})", cancellationToken, parameters);
        }, cancellationToken);

    private static (string, object?)[] WebhookParameters(Webhook w) =>
    [
        ("$id", w.Id), ("$tenant", w.TenantId), ("$app", w.ApplicationId), ("$url", w.Url), ("$events", string.Join(',', w.Events)), ("$enabled", w.Enabled),
        ("$description", w.Description), ("$key", w.Secret.KeyId), ("$data", w.Secret.Data), ("$created", Ms(w.CreatedAt)), ("$updated", Ms(w.UpdatedAt)),
    ];

    private static Webhook ReadWebhook(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetBoolean(5),
        OptionalString(r, 6), new SealedSecret(r.GetString(7), (byte[])r.GetValue(8)), Time(r, 9), Time(r, 10));

    private static WebhookDelivery ReadDelivery(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), (WebhookDeliveryState)r.GetInt32(7),
        r.GetInt32(8), Time(r, 9), Time(r, 10), Time(r, 11), r.IsDBNull(12) ? null : r.GetInt32(12), OptionalString(r, 13), OptionalTime(r, 14));
}
