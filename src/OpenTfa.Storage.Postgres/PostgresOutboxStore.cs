using Npgsql;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <remarks>
/// A channel may report delivery before the submission that tells us its message id has been
/// stored (an SMSC can send the receipt while <c>MarkSubmitted</c> is still on its way). Such a
/// receipt is kept in <c>pending_receipts</c>, and <see cref="MarkSubmittedAsync"/> applies it
/// when it stores the matching channel message id. Both sides take the same advisory lock on
/// (channel, channel message id), so a receipt is never lost between the two.
/// </remarks>
internal sealed class PostgresOutboxStore(PostgresStore store) : IOutboxStore
{
    private const string ClaimColumns =
        "id, pin_id, tenant_id, application_id, kind, recipient, sender, body_key_id, body_data, created_at, expires_at, attempts, trace_parent";

    internal const string StatusColumns =
        "id, pin_id, tenant_id, kind, recipient, state, attempts, created_at, updated_at, channel_name, channel_message_id, error, delivered_at, step";

    public async Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        if (max <= 0)
        {
            return [];
        }

        // SKIP LOCKED: concurrent claimers (threads or nodes) take disjoint rows without waiting;
        // a row claimed meanwhile is re-checked against its new lease and skipped.
        IReadOnlyList<OutboxMessage> claimed = await store.QueryAsync(
            $"""
            WITH due AS (
                SELECT id FROM outbox_messages
                WHERE state = 'Queued' AND next_attempt_at <= @now AND body_data IS NOT NULL
                  AND (lease_until IS NULL OR lease_until <= @now)
                ORDER BY next_attempt_at, id
                LIMIT @max
                FOR UPDATE SKIP LOCKED)
            UPDATE outbox_messages m SET lease_owner = @owner, lease_until = @until
            FROM due WHERE m.id = due.id
            RETURNING {string.Join(", ", ClaimColumns.Split(", ").Select(c => "m." + c))}
            """,
            c => c.Time("now", now).Int("max", max).Text("owner", owner).Time("until", now + lease),
            r => new OutboxMessage(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetEnum<ChannelKind>(4), r.GetString(5),
                r.GetStringOrNull(6), new SealedSecret(r.GetString(7), r.GetFieldValue<byte[]>(8)), r.GetTime(9), r.GetTime(10), r.GetInt32(11), r.GetStringOrNull(12)),
            cancellationToken);
        return claimed.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
    }

    public async Task MarkSubmittedAsync(string messageId, string owner, string channelName, string? channelMessageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (channelMessageId is not null)
        {
            await Sql.LockAsync(connection, transaction, ReceiptLock(channelName, channelMessageId), cancellationToken);
        }

        int updated;
        await using (NpgsqlCommand submit = connection.Command(
            """
            UPDATE outbox_messages SET state = 'Submitted', attempts = attempts + 1, channel_name = @channel,
                channel_message_id = @channelId, error = NULL, updated_at = @now, lease_owner = NULL, lease_until = NULL,
                body_key_id = NULL, body_data = NULL
            WHERE id = @id AND lease_owner = @owner
            """, transaction)
            .Text("id", messageId).Text("owner", owner).Text("channel", channelName).Text("channelId", channelMessageId).Time("now", now))
        {
            updated = await submit.ExecuteNonQueryAsync(cancellationToken);
        }

        if (updated == 1 && channelMessageId is not null)
        {
            await using NpgsqlCommand apply = connection.Command(
                $"""
                WITH receipt AS (
                    DELETE FROM pending_receipts WHERE channel_name = @channel AND channel_message_id = @channelId
                    RETURNING state, error, reported_at),
                updated AS (
                    UPDATE outbox_messages m SET state = receipt.state, error = receipt.error,
                        delivered_at = CASE WHEN receipt.state = 'Delivered' THEN receipt.reported_at ELSE m.delivered_at END
                    FROM receipt WHERE m.id = @id
                    RETURNING m.id, m.pin_id, m.state),
                failed AS (SELECT id, pin_id FROM updated WHERE state = 'Failed')
                {BringStepForward}
                """, transaction)
                .Text("channel", channelName).Text("channelId", channelMessageId).Text("id", messageId).Time("now", now);
            await apply.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task MarkRetryAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            """
            UPDATE outbox_messages SET state = 'Queued', attempts = attempts + 1, next_attempt_at = @next, channel_name = @channel,
                error = @error, updated_at = @now, lease_owner = NULL, lease_until = NULL
            WHERE id = @id AND lease_owner = @owner
            """,
            c => c.Text("id", messageId).Text("owner", owner).Text("channel", channelName).Text("error", error)
                .Time("next", nextAttemptAt).Time("now", now),
            cancellationToken);

    public Task MarkFailedAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            $"""
            WITH failed AS (
                UPDATE outbox_messages SET state = 'Failed', attempts = attempts + 1, channel_name = @channel,
                    error = @error, updated_at = @now, lease_owner = NULL, lease_until = NULL, body_key_id = NULL, body_data = NULL
                WHERE id = @id AND lease_owner = @owner
                RETURNING id, pin_id)
            {BringStepForward}
            """,
            c => c.Text("id", messageId).Text("owner", owner).Text("channel", channelName).Text("error", error).Time("now", now),
            cancellationToken);

    /// <summary>
    /// Completes a statement whose CTE <c>failed</c> returns the failed messages (<c>id</c>, <c>pin_id</c>):
    /// a workflow whose current message failed for good has its next step due now, not after the wait.
    /// </summary>
    private const string BringStepForward =
        "UPDATE pins p SET workflow_due = @now FROM failed f WHERE p.id = f.pin_id AND p.workflow_message = f.id AND p.workflow_due > @now";

    public async Task<bool> RecordDeliveryAsync(string channelName, string channelMessageId, MessageState state, string? error, DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (state is not (MessageState.Delivered or MessageState.Failed))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "A delivery report is either Delivered or Failed.");
        }

        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.LockAsync(connection, transaction, ReceiptLock(channelName, channelMessageId), cancellationToken);
        int matched;
        await using (NpgsqlCommand record = connection.Command(
            $"""
            WITH updated AS (
                UPDATE outbox_messages SET state = @state, error = @error, updated_at = @now,
                    delivered_at = CASE WHEN @state = 'Delivered' THEN @at ELSE delivered_at END
                WHERE channel_name = @channel AND channel_message_id = @channelId
                RETURNING id, pin_id, state),
            failed AS (SELECT id, pin_id FROM updated WHERE state = 'Failed'),
            advanced AS ({BringStepForward})
            SELECT count(*)::int FROM updated
            """, transaction)
            .Text("state", Sql.Name(state)).Text("error", error).Time("at", reportedAt).Time("now", now).Text("channel", channelName).Text("channelId", channelMessageId))
        {
            matched = (int)(await record.ExecuteScalarAsync(cancellationToken))!;
        }

        if (matched == 0)
        {
            await using NpgsqlCommand keep = connection.Command(
                """
                INSERT INTO pending_receipts (channel_name, channel_message_id, state, error, reported_at)
                VALUES (@channel, @channelId, @state, @error, @at)
                ON CONFLICT (channel_name, channel_message_id)
                DO UPDATE SET state = excluded.state, error = excluded.error, reported_at = excluded.reported_at
                """, transaction)
                .Text("channel", channelName).Text("channelId", channelMessageId).Text("state", Sql.Name(state)).Text("error", error).Time("at", reportedAt);
            await keep.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return matched > 0;
    }

    public Task ReleaseAsync(string owner, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            "UPDATE outbox_messages SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner",
            c => c.Text("owner", owner), cancellationToken);

    public Task<IReadOnlyList<MessageStatus>> ListMessagesAsync(string tenantId, string pinId, CancellationToken cancellationToken) =>
        store.QueryAsync(
            $"SELECT {StatusColumns} FROM outbox_messages WHERE tenant_id = @tenant AND pin_id = @pin ORDER BY created_at, id",
            c => c.Text("tenant", tenantId).Text("pin", pinId), ReadStatus, cancellationToken);

    public async Task<MessageStatus?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken)
    {
        IReadOnlyList<MessageStatus> found = await store.QueryAsync(
            $"SELECT {StatusColumns} FROM outbox_messages WHERE tenant_id = @tenant AND id = @id",
            c => c.Text("tenant", tenantId).Text("id", messageId), ReadStatus, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    internal static async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand insert = connection.Command(
            """
            INSERT INTO outbox_messages (id, pin_id, tenant_id, application_id, kind, recipient, sender, body_key_id, body_data,
                created_at, expires_at, state, attempts, next_attempt_at, updated_at, trace_parent, step)
            VALUES (@id, @pin, @tenant, @application, @kind, @to, @from, @keyId, @data,
                @created, @expires, 'Queued', @attempts, @now, @now, @trace, @step)
            """, transaction)
            .Text("id", message.Id).Text("pin", message.PinId).Text("tenant", message.TenantId).Text("application", message.ApplicationId)
            .Text("kind", Sql.Name(message.Kind)).Text("to", message.To).Text("from", message.From)
            .Text("keyId", message.Body.KeyId).Bytes("data", message.Body.Data)
            .Time("created", message.CreatedAt).Time("expires", message.ExpiresAt).Int("attempts", message.Attempts).Time("now", now).Text("trace", message.TraceParent).Long("step", message.Step);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static long ReceiptLock(string channelName, string channelMessageId) =>
        Sql.LockKey("receipt", $"{channelName.Length}:{channelName}:{channelMessageId}");

    internal static MessageStatus ReadStatus(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetEnum<ChannelKind>(3), r.GetString(4), r.GetEnum<MessageState>(5),
        r.GetInt32(6), r.GetTime(7), r.GetTime(8), r.GetStringOrNull(9), r.GetStringOrNull(10), r.GetStringOrNull(11), r.GetTimeOrNull(12),
        r.IsDBNull(13) ? null : r.GetInt32(13));
}
