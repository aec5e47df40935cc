using Microsoft.Data.Sqlite;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteOutboxStore(SqliteStore store) : IOutboxStore
{
    internal const string StatusColumns =
        "id, pin_id, tenant_id, kind, destination, state, attempts, created_at, updated_at, channel_name, channel_message_id, error, delivered_at, step";

    internal static Task<int> EnqueueAsync(SqliteConnection c, SqliteTransaction t, OutboxMessage m, CancellationToken cancellationToken) =>
        ExecuteAsync(c, t,
            """
            INSERT INTO outbox(id, pin_id, tenant_id, application_id, kind, destination, from_value, body_key, body_data, state, attempts, next_attempt_at, created_at, updated_at, expires_at, trace_parent, step)
            VALUES ($id, $pin, $tenant, $app, $kind, $dest, $from, $key, $data, $state, 0, $created, $created, $created, $expires, $trace, $step)
            """, cancellationToken,
            ("$id", m.Id), ("$pin", m.PinId), ("$tenant", m.TenantId), ("$app", m.ApplicationId), ("$kind", (int)m.Kind), ("$dest", m.To),
            ("$from", m.From), ("$key", m.Body.KeyId), ("$data", m.Body.Data), ("$state", (int)MessageState.Queued), ("$created", Ms(m.CreatedAt)), ("$expires", Ms(m.ExpiresAt)), ("$trace", m.TraceParent), ("$step", m.Step));

    public Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<OutboxMessage>>(async (c, t) =>
        {
            List<OutboxMessage> due = await QueryAsync(c, t,
                """
                SELECT id, pin_id, tenant_id, application_id, kind, destination, from_value, body_key, body_data, created_at, expires_at, attempts, trace_parent FROM outbox
                WHERE state = $queued AND next_attempt_at <= $now AND (lease_until IS NULL OR lease_until <= $now) AND body_data IS NOT NULL
                ORDER BY next_attempt_at LIMIT $max
                """,
                r => new OutboxMessage(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ChannelKind)r.GetInt32(4), r.GetString(5),
                    OptionalString(r, 6), new SealedSecret(r.GetString(7), (byte[])r.GetValue(8)), Time(r, 9), Time(r, 10), r.GetInt32(11), OptionalString(r, 12)),
                cancellationToken, ("$queued", (int)MessageState.Queued), ("$now", Ms(now)), ("$max", max));
            foreach (OutboxMessage m in due)
            {
                await ExecuteAsync(c, t, "UPDATE outbox SET lease_owner = $owner, lease_until = $until WHERE id = $id", cancellationToken,
                    ("$id", m.Id), ("$owner", owner), ("$until", Ms(now + lease)));
            }

            return due;
        }, cancellationToken);

    public Task MarkSubmittedAsync(string messageId, string owner, string channelName, string? channelMessageId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            int updated = await ExecuteAsync(c, t,
                """
                UPDATE outbox SET state = $state, attempts = attempts + 1, channel_name = $channel, channel_message_id = $cid, error = NULL,
                    updated_at = $now, lease_owner = NULL, lease_until = NULL, body_data = NULL, body_key = NULL
                WHERE id = $id AND lease_owner = $owner
                """, cancellationToken,
                ("$id", messageId), ("$owner", owner), ("$state", (int)MessageState.Submitted), ("$channel", channelName), ("$cid", channelMessageId), ("$now", Ms(now)));
            if (updated == 1 && channelMessageId is not null)
            {
                // A receipt can overtake the channel's own answer; apply one that is waiting.
                List<(int State, string? Error, long At)> early = await QueryAsync(c, t,
                    "DELETE FROM pending_receipts WHERE channel_name = $channel AND channel_message_id = $cid RETURNING state, error, at",
                    r => (r.GetInt32(0), OptionalString(r, 1), r.GetInt64(2)), cancellationToken, ("$channel", channelName), ("$cid", channelMessageId));
                foreach ((int state, string? error, long at) in early)
                {
                    await ApplyReceiptAsync(c, t, messageId, (MessageState)state, error, at, Ms(now), cancellationToken);
                }
            }

            return updated;
        }, cancellationToken);

    public Task MarkRetryAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            """
            UPDATE outbox SET state = $state, attempts = attempts + 1, channel_name = $channel, error = $error, next_attempt_at = $next,
                updated_at = $now, lease_owner = NULL, lease_until = NULL
            WHERE id = $id AND lease_owner = $owner
            """, cancellationToken,
            ("$id", messageId), ("$owner", owner), ("$state", (int)MessageState.Queued), ("$channel", channelName), ("$error", error), ("$next", Ms(nextAttemptAt)), ("$now", Ms(now))),
            cancellationToken);

    public Task MarkFailedAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            if (await ExecuteAsync(c, t,
                """
                UPDATE outbox SET state = $state, attempts = attempts + 1, channel_name = $channel, error = $error, updated_at = $now,
                    lease_owner = NULL, lease_until = NULL, body_data = NULL, body_key = NULL
                WHERE id = $id AND lease_owner = $owner
                """, cancellationToken,
                ("$id", messageId), ("$owner", owner), ("$state", (int)MessageState.Failed), ("$channel", channelName), ("$error", error), ("$now", Ms(now))) == 1)
            {
                await BringStepForwardAsync(c, t, messageId, Ms(now), cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>A workflow's current message failed for good: its next step is due now, not after the wait.</summary>
    private static Task<int> BringStepForwardAsync(SqliteConnection c, SqliteTransaction t, string messageId, long now, CancellationToken cancellationToken) =>
        ExecuteAsync(c, t,
            "UPDATE pins SET workflow_due = $now WHERE id = (SELECT pin_id FROM outbox WHERE id = $id) AND workflow_message = $id AND workflow_due > $now",
            cancellationToken, ("$id", messageId), ("$now", now));

    public Task<bool> RecordDeliveryAsync(string channelName, string channelMessageId, MessageState state, string? error, DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            List<string> ids = await QueryAsync(c, t, "SELECT id FROM outbox WHERE channel_name = $channel AND channel_message_id = $cid",
                r => r.GetString(0), cancellationToken, ("$channel", channelName), ("$cid", channelMessageId));
            if (ids.Count == 0)
            {
                await ExecuteAsync(c, t,
                    "INSERT OR REPLACE INTO pending_receipts(channel_name, channel_message_id, state, error, at) VALUES ($channel, $cid, $state, $error, $at)",
                    cancellationToken, ("$channel", channelName), ("$cid", channelMessageId), ("$state", (int)state), ("$error", error), ("$at", Ms(reportedAt)));
                return false;
            }

            foreach (string id in ids)
            {
                await ApplyReceiptAsync(c, t, id, state, error, Ms(reportedAt), Ms(now), cancellationToken);
            }

            return true;
        }, cancellationToken);

    /// <summary>A receipt changes the message now (<c>updated_at</c>); a delivered one was delivered when it says (<c>delivered_at</c>).</summary>
    private static async Task ApplyReceiptAsync(SqliteConnection c, SqliteTransaction t, string messageId, MessageState state, string? error, long reportedAt, long now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(c, t,
            """
            UPDATE outbox SET state = $state, error = COALESCE($error, error), updated_at = $now,
                delivered_at = CASE WHEN $state = $delivered THEN $at ELSE delivered_at END
            WHERE id = $id
            """, cancellationToken,
            ("$id", messageId), ("$state", (int)state), ("$error", error), ("$at", reportedAt), ("$now", now), ("$delivered", (int)MessageState.Delivered));
        if (state == MessageState.Failed)
        {
            await BringStepForwardAsync(c, t, messageId, now, cancellationToken);
        }
    }

    public Task ReleaseAsync(string owner, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t, "UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $owner", cancellationToken, ("$owner", owner)),
            cancellationToken);

    public Task<IReadOnlyList<MessageStatus>> ListMessagesAsync(string tenantId, string pinId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<MessageStatus>>(async c => await QueryAsync(c, null,
            $"SELECT {StatusColumns} FROM outbox WHERE tenant_id = $tenant AND pin_id = $pin ORDER BY created_at, rowid", ReadStatus, cancellationToken,
            ("$tenant", tenantId), ("$pin", pinId)), cancellationToken);

    public Task<MessageStatus?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, $"SELECT {StatusColumns} FROM outbox WHERE tenant_id = $tenant AND id = $id", ReadStatus, cancellationToken,
            ("$tenant", tenantId), ("$id", messageId))).FirstOrDefault(), cancellationToken);

    internal static MessageStatus ReadStatus(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), (ChannelKind)r.GetInt32(3), r.GetString(4), (MessageState)r.GetInt32(5), r.GetInt32(6),
        Time(r, 7), Time(r, 8), OptionalString(r, 9), OptionalString(r, 10), OptionalString(r, 11), OptionalTime(r, 12), OptionalInt(r, 13));
}
