using Npgsql;
using OpenTfa.Core.Security;
using OpenTfa.Core.Webhooks;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresWebhookStore(PostgresStore store) : IWebhookStore
{
    private const string WebhookColumns = "id, tenant_id, application_id, url, events, enabled, description, secret_key_id, secret_data, created_at, updated_at";

    private const string DeliveryColumns =
        "id, webhook_id, tenant_id, application_id, event_id, event_type, payload, state, attempts, next_attempt_at, created_at, updated_at, last_status, last_error, delivered_at";

    public Task CreateWebhookAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return store.ExecuteAsync(
            $"""
            INSERT INTO webhooks ({WebhookColumns})
            VALUES (@id, @tenant, @application, @url, @events, @enabled, @description, @keyId, @data, @created, @updated)
            """,
            c => BindWebhook(c, webhook), cancellationToken);
    }

    public async Task<Webhook?> GetWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Webhook> found = await store.QueryAsync($"SELECT {WebhookColumns} FROM webhooks WHERE id = @id AND tenant_id = @tenant",
            c => c.Text("id", webhookId).Text("tenant", tenantId), ReadWebhook, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<Webhook>> ListWebhooksAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.QueryAsync($"SELECT {WebhookColumns} FROM webhooks WHERE tenant_id = @tenant AND application_id = @application ORDER BY created_at, id",
            c => c.Text("tenant", tenantId).Text("application", applicationId), ReadWebhook, cancellationToken);

    public async Task<bool> UpdateWebhookAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return await store.ExecuteAsync(
            """
            UPDATE webhooks SET url = @url, events = @events, enabled = @enabled, description = @description, secret_key_id = @keyId, secret_data = @data, updated_at = @updated
            WHERE id = @id AND tenant_id = @tenant AND application_id = @application
            """,
            c => BindWebhook(c, webhook), cancellationToken) == 1;
    }

    public async Task<bool> DeleteWebhookAsync(string tenantId, string webhookId, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> deleted = await store.QueryAsync(
            """
            WITH gone AS (DELETE FROM webhooks WHERE id = @id AND tenant_id = @tenant RETURNING id),
            deliveries AS (DELETE FROM webhook_deliveries d USING gone WHERE d.webhook_id = gone.id RETURNING d.id),
            attempts AS (DELETE FROM webhook_attempts a USING deliveries WHERE a.delivery_id = deliveries.id RETURNING 1)
            SELECT (SELECT count(*)::int FROM gone) + 0 * (SELECT count(*)::int FROM attempts)
            """,
            c => c.Text("id", webhookId).Text("tenant", tenantId), r => r.GetInt32(0), cancellationToken);
        return deleted[0] == 1;
    }

    public async Task EnqueueWebhookDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (WebhookDelivery d in deliveries)
        {
            await using NpgsqlCommand insert = connection.Command(
                $"""
                INSERT INTO webhook_deliveries ({DeliveryColumns})
                VALUES (@id, @webhook, @tenant, @application, @event, @type, @payload, @state, @attempts, @next, @created, @updated, NULL, NULL, NULL)
                """, transaction)
                .Text("id", d.Id).Text("webhook", d.WebhookId).Text("tenant", d.TenantId).Text("application", d.ApplicationId).Text("event", d.EventId)
                .Text("type", d.EventType).Text("payload", d.Payload).Text("state", Sql.Name(d.State)).Int("attempts", d.Attempts)
                .Time("next", d.NextAttemptAt).Time("created", d.CreatedAt).Time("updated", d.UpdatedAt);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ClaimedWebhookDelivery>> ClaimDueWebhookDeliveriesAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        IReadOnlyList<ClaimedWebhookDelivery> claimed = await store.QueryAsync(
            $"""
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.state = 'Pending' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now) AND w.enabled
                ORDER BY d.next_attempt_at, d.id
                LIMIT @max
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries m SET lease_owner = @owner, lease_until = @until
            FROM due, webhooks w WHERE m.id = due.id AND w.id = m.webhook_id
            RETURNING {string.Join(", ", DeliveryColumns.Split(", ").Select(c => "m." + c))}, w.url, w.secret_key_id, w.secret_data
            """,
            c => c.Time("now", now).Int("max", max).Text("owner", owner).Time("until", now + lease),
            r => new ClaimedWebhookDelivery(ReadDelivery(r), r.GetString(15), new SealedSecret(r.GetString(16), r.GetFieldValue<byte[]>(17))),
            cancellationToken);
        return claimed.OrderBy(d => d.Delivery.NextAttemptAt).ThenBy(d => d.Delivery.Id, StringComparer.Ordinal).ToList();
    }

    public async Task<bool> RecordWebhookAttemptAsync(string owner, WebhookAttemptOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        WebhookAttempt a = outcome.Attempt;
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        int updated;
        await using (NpgsqlCommand update = connection.Command(
            """
            UPDATE webhook_deliveries SET state = @state, attempts = @attempt, next_attempt_at = COALESCE(@next, next_attempt_at), last_status = @status,
                last_error = @error, updated_at = @at, delivered_at = CASE WHEN @state = 'Delivered' THEN @at ELSE delivered_at END,
                lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner
            """, transaction)
            .Text("id", outcome.DeliveryId).Text("owner", owner).Text("state", Sql.Name(outcome.State)).Int("attempt", a.Attempt).Time("next", outcome.NextAttemptAt)
            .OptionalInt("status", a.Status).Text("error", a.Error).Time("at", a.At))
        {
            updated = await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (updated == 1)
        {
            await using NpgsqlCommand insert = connection.Command(
                """
                INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, duration_ms) VALUES (@id, @attempt, @at, @status, @error, @duration)
                ON CONFLICT (delivery_id, attempt) DO UPDATE SET at = excluded.at, status = excluded.status, error = excluded.error, duration_ms = excluded.duration_ms
                """, transaction)
                .Text("id", outcome.DeliveryId).Int("attempt", a.Attempt).Time("at", a.At).OptionalInt("status", a.Status).Text("error", a.Error).Int("duration", a.DurationMs);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return updated == 1;
    }

    public async Task<IReadOnlyList<WebhookDeliveryRecord>> ListWebhookDeliveriesAsync(string tenantId, string webhookId, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<WebhookDelivery> deliveries = await store.QueryAsync(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE tenant_id = @tenant AND webhook_id = @webhook ORDER BY created_at DESC, id DESC LIMIT @limit",
            c => c.Text("tenant", tenantId).Text("webhook", webhookId).Int("limit", limit), ReadDelivery, cancellationToken);
        if (deliveries.Count == 0)
        {
            return [];
        }

        IReadOnlyList<(string Id, WebhookAttempt Attempt)> attempts = await store.QueryAsync(
            "SELECT delivery_id, attempt, at, status, error, duration_ms FROM webhook_attempts WHERE delivery_id = ANY(@ids) ORDER BY delivery_id, attempt",
            c => c.Texts("ids", deliveries.Select(d => d.Id).ToList()),
            r => (r.GetString(0), new WebhookAttempt(r.GetInt32(1), r.GetTime(2), r.IsDBNull(3) ? null : r.GetInt32(3), r.GetStringOrNull(4), r.GetInt32(5))),
            cancellationToken);
        ILookup<string, WebhookAttempt> byDelivery = attempts.ToLookup(a => a.Id, a => a.Attempt, StringComparer.Ordinal);
        return deliveries.Select(d => new WebhookDeliveryRecord(d, byDelivery[d.Id].ToList())).ToList();
    }

    public async Task<int> PruneWebhookDeliveriesAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> pruned = await store.QueryAsync(
            """
            WITH batch AS (
                SELECT id FROM webhook_deliveries WHERE created_at < @before AND state <> 'Pending'
                ORDER BY created_at LIMIT @batch FOR UPDATE SKIP LOCKED),
            attempts AS (DELETE FROM webhook_attempts a USING batch WHERE a.delivery_id = batch.id RETURNING 1),
            gone AS (DELETE FROM webhook_deliveries d USING batch WHERE d.id = batch.id RETURNING 1)
            SELECT (SELECT count(*)::int FROM gone) + 0 * (SELECT count(*)::int FROM attempts)
            """,
            c => c.Time("before", before).Int("batch", PostgresStore.PruneBatchSize), r => r.GetInt32(0), cancellationToken);
        return pruned[0];
    }

    private static void BindWebhook(NpgsqlCommand c, Webhook w) =>
        c.Text("id", w.Id).Text("tenant", w.TenantId).Text("application", w.ApplicationId).Text("url", w.Url).Texts("events", w.Events).Bool("enabled", w.Enabled)
            .Text("description", w.Description).Text("keyId", w.Secret.KeyId).Bytes("data", w.Secret.Data).Time("created", w.CreatedAt).Time("updated", w.UpdatedAt);

    private static Webhook ReadWebhook(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetBoolean(5), r.GetStringOrNull(6),
        new SealedSecret(r.GetString(7), r.GetFieldValue<byte[]>(8)), r.GetTime(9), r.GetTime(10));

    private static WebhookDelivery ReadDelivery(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetEnum<WebhookDeliveryState>(7),
        r.GetInt32(8), r.GetTime(9), r.GetTime(10), r.GetTime(11), r.IsDBNull(12) ? null : r.GetInt32(12), r.GetStringOrNull(13), r.GetTimeOrNull(14));
}

internal static class WebhookSql
{
    public static NpgsqlCommand OptionalInt(this NpgsqlCommand command, string name, int? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Integer) { Value = value is { } v ? v : DBNull.Value });
        return command;
    }
}
