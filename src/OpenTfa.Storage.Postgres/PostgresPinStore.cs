using Npgsql;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Workflows;

namespace OpenTfa.Storage.Postgres;

internal sealed partial class PostgresPinStore(PostgresStore store) : IPinStore
{
    /// <summary>Verifies of one PIN take turns in this process before they take a connection.</summary>
    private readonly KeyedTurns _verifyTurns = new();

    internal const string PinColumns =
        "id, tenant_id, application_id, template_id, kind, destination, pin_key_id, pin_data, created_at, expires_at, " +
        "attempts_remaining, sent, verified_at, consumed, placeholders_json, sender, canceled_at, " +
        "workflow, workflow_step, workflow_due, workflow_message";

    /// <summary>The newest pending PIN of an application for a destination (see <see cref="PinRecord.IsPendingAt"/>).</summary>
    private const string PendingPin =
        $"""
        SELECT {PinColumns} FROM pins
        WHERE tenant_id = @tenant AND application_id = @application AND destination = @destination AND NOT pruned
          AND verified_at IS NULL AND canceled_at IS NULL AND NOT consumed AND attempts_remaining > 0 AND expires_at > @now
        ORDER BY created_at DESC, id LIMIT 1
        """;

    public Task<LimitRefusal?> IssuePinAsync(PinRecord pin, OutboxMessage? message, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pin);
        ArgumentNullException.ThrowIfNull(limits);
        EnsureBelongs(message, pin.TenantId, pin.Id);
        return store.Sends.IssueAsync(pin, message, limits, now, cancellationToken);
    }

    public async Task<PinRecord?> GetPinAsync(string tenantId, string pinId, CancellationToken cancellationToken)
    {
        IReadOnlyList<PinRecord> found = await store.QueryAsync(
            $"SELECT {PinColumns} FROM pins WHERE id = @id AND tenant_id = @tenant AND NOT pruned",
            c => c.Text("id", pinId).Text("tenant", tenantId), ReadPin, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<ResendResult> ResendPinAsync(ResendOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        EnsureBelongs(operation.Message, operation.TenantId, operation.PinId);
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        PinRecord? pin = await LockPinAsync(connection, transaction, operation.TenantId, operation.PinId, cancellationToken);
        if (pin is null)
        {
            return new ResendResult.NotFound();
        }

        PinError reason = PinRules.CanResend(StateOf(pin), operation.Now);
        if (reason != PinError.None)
        {
            return new ResendResult.Refused(reason);
        }

        LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, operation.Limits, operation.Now, cancellationToken);
        if (refusal is not null)
        {
            return new ResendResult.Limited(refusal);
        }

        await PostgresOutboxStore.EnqueueAsync(connection, transaction, operation.Message, operation.Now, cancellationToken);
        await MarkSentAsync(connection, transaction, pin.Id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ResendResult.Resent();
    }

    public async Task<VerifyResult> VerifyPinAsync(VerifyOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);

        // Verifies of one PIN are serialised by its row lock anyway; a crowd of them waits for its
        // turn here, without a connection, so that it cannot take every connection of the pool.
        // The terms are worked out before the transaction: they read the application on a
        // connection of their own, and a verify must never hold one connection while it waits for another.
        using IDisposable turn = await _verifyTurns.TakeAsync(operation.PinId, cancellationToken);
        PinRecord? seen = await GetPinAsync(operation.TenantId, operation.PinId, cancellationToken);
        if (seen is null)
        {
            return new VerifyResult.NotFound();
        }

        Result<VerifyTerms> terms = await operation.Terms(seen, cancellationToken);
        if (!terms.IsSuccess)
        {
            return new VerifyResult.Refused(terms.Error);
        }

        (bool matches, bool allowMultiple, LimitCheck check, int? failureCap) = terms.Value;
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);

        // One round trip: the limit key's lock and its count. The limit comes before the PIN: a
        // refused verify must not burn an attempt.
        long inWindow;
        await using (var first = new NpgsqlBatch(connection, transaction))
        {
            first.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@key)").Long("key", Sql.LockKey("limit", check.Key)));
            first.BatchCommands.Add(new NpgsqlBatchCommand("SELECT count(*) FROM limit_events WHERE key = @key AND at > @since")
                .Text("key", check.Key).Time("since", operation.Now - check.Limit.Window));
            await using NpgsqlDataReader reader = await first.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            inWindow = reader.GetInt64(0);
        }

        if (inWindow >= check.Limit.Count)
        {
            // Refused: the same step as every other limit works out when to come back.
            LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, [check], operation.Now, cancellationToken);
            if (refusal is not null)
            {
                return new VerifyResult.Limited(seen, refusal);
            }
        }
        else
        {
            await using var count = new NpgsqlCommand(
                "INSERT INTO limit_events (key, at, expires_at) VALUES (@key, @at, @expires)", connection, transaction)
                .Text("key", check.Key).Time("at", operation.Now).Time("expires", operation.Now + check.Limit.Window);
            await count.ExecuteNonQueryAsync(cancellationToken);
        }

        PinRecord? pin = await LockPinAsync(connection, transaction, operation.TenantId, operation.PinId, cancellationToken);
        if (pin is null)
        {
            // Pruned since it was read; disposing the transaction un-counts the verify.
            return new VerifyResult.NotFound();
        }

        // A workflow step may have drawn a new PIN since the candidate was compared: a code that
        // matched the replaced PIN is no longer the PIN.
        matches = matches && pin.Pin.KeyId == seen.Pin.KeyId && pin.Pin.Data.AsSpan().SequenceEqual(seen.Pin.Data);

        // Every verify of this destination holds the limit key's lock, so the count of failures
        // is read and written by one verify at a time, on every node.
        if (failureCap is int cap)
        {
            int failures = await PostgresProtectionStore.VerifyFailuresAsync(connection, transaction, pin.ApplicationId, pin.Destination, cancellationToken);
            if (failures >= cap)
            {
                await transaction.CommitAsync(cancellationToken);
                return new VerifyResult.LockedOut(pin, failures);
            }
        }

        PinState state = StateOf(pin);
        VerifyDecision decision = PinRules.Decide(state, matches, allowMultiple, operation.Now);
        await using (NpgsqlCommand update = connection.Command(
            """
            UPDATE pins SET attempts_remaining = @attempts, verified_at = @verified, consumed = @consumed,
                verify_log = CASE WHEN length(coalesce(verify_log, '')) < @maxLog THEN coalesce(verify_log, '') || @entry ELSE verify_log END
            WHERE id = @id
            """, transaction)
            .Int("attempts", decision.NewState.AttemptsRemaining).Time("verified", decision.NewState.VerifiedAt)
            .Bool("consumed", decision.NewState.Consumed).Text("entry", VerifyLog.Entry(operation.Now, decision)).Int("maxLog", VerifyLog.MaxLength).Text("id", pin.Id))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (failureCap is not null && decision.Error == PinError.WrongPin)
        {
            await using NpgsqlCommand count = connection.Command(
                """
                INSERT INTO verify_failures (application_id, destination, tenant_id, failures, last_failure_at) VALUES (@app, @dest, @tenant, 1, @now)
                ON CONFLICT (application_id, destination) DO UPDATE SET failures = verify_failures.failures + 1, last_failure_at = EXCLUDED.last_failure_at
                """, transaction)
                .Text("app", pin.ApplicationId).Text("dest", pin.Destination).Text("tenant", pin.TenantId).Time("now", operation.Now);
            await count.ExecuteNonQueryAsync(cancellationToken);
        }
        else if (failureCap is not null && decision.Verified)
        {
            await using NpgsqlCommand reset = connection.Command("DELETE FROM verify_failures WHERE application_id = @app AND destination = @dest", transaction)
                .Text("app", pin.ApplicationId).Text("dest", pin.Destination);
            await reset.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        PinRecord updated = pin with
        {
            AttemptsRemaining = decision.NewState.AttemptsRemaining,
            VerifiedAt = decision.NewState.VerifiedAt,
            Consumed = decision.NewState.Consumed,
        };
        return new VerifyResult.Decided(updated, decision);
    }

    public async Task<PinRecord?> FindNewestPinAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken)
    {
        IReadOnlyList<PinRecord> found = await store.QueryAsync(
            $"SELECT {PinColumns} FROM pins WHERE tenant_id = @tenant AND application_id = @application AND destination = @destination AND NOT pruned ORDER BY created_at DESC, id LIMIT 1",
            c => c.Text("tenant", tenantId).Text("application", applicationId).Text("destination", destination), ReadPin, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public async Task<PinRecord?> FindPendingPinAsync(string tenantId, string applicationId, string destination, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<PinRecord> found = await store.QueryAsync(
            PendingPin,
            c => c.Text("tenant", tenantId).Text("application", applicationId).Text("destination", destination).Time("now", now), ReadPin, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    /// <remarks>
    /// Every start for a destination holds its send limit key's lock from before it reads which
    /// PIN is pending until it commits, and so does every other send to the destination, so the
    /// read cannot go stale before the writes, on any node. The locks are taken in the order the
    /// other PIN operations take theirs: the pending PIN's row first (as a resend does), then
    /// the limit keys in ascending order (as a resend and the send batcher do); a verify takes
    /// its own limit key, which no start takes, before the row.
    /// </remarks>
    public async Task<StartVerificationResult> StartVerificationAsync(StartVerificationOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        EnsureBelongs(operation.Fresh.Message, operation.Fresh.Pin.TenantId, operation.Fresh.Pin.Id);
        if (operation.PendingPinId is not null)
        {
            if (operation.Reuse is null)
            {
                throw new ArgumentException("A start for a pending PIN must carry the message that sends it again.", nameof(operation));
            }

            EnsureBelongs(operation.Reuse, operation.TenantId, operation.PendingPinId);
        }

        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (operation.PendingPinId is not null)
        {
            await LockPinAsync(connection, transaction, operation.TenantId, operation.PendingPinId, cancellationToken);
        }

        await PostgresLimits.LockAsync(connection, transaction, operation.Limits, cancellationToken);
        PinRecord? pending;
        await using (NpgsqlCommand find = connection.Command(PendingPin, transaction)
            .Text("tenant", operation.TenantId).Text("application", operation.ApplicationId).Text("destination", operation.Destination).Time("now", operation.Now))
        {
            pending = await Sql.ReadOneAsync(find, ReadPin, cancellationToken);
        }

        if (pending?.Id != operation.PendingPinId)
        {
            return new StartVerificationResult.Raced();
        }

        if (pending is null)
        {
            LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, operation.Limits, operation.Now, cancellationToken);
            if (refusal is not null)
            {
                return new StartVerificationResult.Limited(refusal);
            }

            await using (var rows = new NpgsqlBatch(connection, transaction))
            {
                PostgresSendBatcher.AppendRows(rows, operation.Fresh.Pin, operation.Fresh.Message, operation.Now);
                await rows.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new StartVerificationResult.Issued();
        }

        long sends;
        await using (NpgsqlCommand count = connection.Command("SELECT count(*) FROM outbox_messages WHERE pin_id = @pin", transaction).Text("pin", pending.Id))
        {
            sends = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        if (sends >= operation.MaxSends)
        {
            return new StartVerificationResult.MaxSendsReached();
        }

        LimitRefusal? limited = await PostgresLimits.AdmitAsync(connection, transaction, operation.Limits, operation.Now, cancellationToken);
        if (limited is not null)
        {
            return new StartVerificationResult.Limited(limited);
        }

        await PostgresOutboxStore.EnqueueAsync(connection, transaction, operation.Reuse!, operation.Now, cancellationToken);
        await MarkSentAsync(connection, transaction, pending.Id, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return new StartVerificationResult.Reused((int)sends + 1);
    }

    public async Task<CloseResult> ClosePinAsync(string tenantId, string pinId, PinClosure closure, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        PinRecord? pin = await LockPinAsync(connection, transaction, tenantId, pinId, cancellationToken);
        if (pin is null)
        {
            return new CloseResult.NotFound();
        }

        if (!pin.IsPendingAt(now))
        {
            return new CloseResult.NotPending(pin);
        }

        PinRecord closed = closure == PinClosure.Approved ? pin with { VerifiedAt = now, Consumed = true } : pin with { CanceledAt = now, Consumed = true };
        await using (NpgsqlCommand update = connection.Command(
            "UPDATE pins SET verified_at = @verified, canceled_at = @canceled, consumed = true WHERE id = @id", transaction)
            .Time("verified", closed.VerifiedAt).Time("canceled", closed.CanceledAt).Text("id", pin.Id))
        {
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new CloseResult.Closed(closed);
    }

    public Task<IReadOnlyList<VerificationEntry>> ListVerificationsAsync(VerificationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        // Pruned PINs stay listed: only their sealed value is gone, their history is kept.
        return store.QueryAsync(
            """
            SELECT destination, sent, created_at, verified_at FROM pins
            WHERE tenant_id = @tenant AND application_id = @application AND destination = @destination
              AND (@verified IS NULL OR (verified_at IS NOT NULL) = @verified)
              AND (@sent IS NULL OR sent = @sent)
            ORDER BY created_at DESC, id
            """,
            c => c.Text("tenant", query.TenantId).Text("application", query.ApplicationId).Text("destination", query.Destination)
                .Bool("verified", query.Verified).Bool("sent", query.Sent),
            r => new VerificationEntry(r.GetString(0), r.GetBoolean(1), r.GetTime(2), r.GetTimeOrNull(3)),
            cancellationToken);
    }

    /// <summary>A PIN that a message is queued for is sent, whether or not its first send had one (a number check may have withheld it).</summary>
    internal static async Task MarkSentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string pinId, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand sent = connection.Command("UPDATE pins SET sent = true WHERE id = @id", transaction).Text("id", pinId);
        await sent.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<PinRecord?> LockPinAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, string pinId, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand select = connection.Command(
            $"SELECT {PinColumns} FROM pins WHERE id = @id AND tenant_id = @tenant AND NOT pruned FOR UPDATE", transaction)
            .Text("id", pinId).Text("tenant", tenantId);
        return await Sql.ReadOneAsync(select, ReadPin, cancellationToken);
    }

    private static void EnsureBelongs(OutboxMessage? message, string tenantId, string pinId)
    {
        if (message is not null && (message.PinId != pinId || message.TenantId != tenantId))
        {
            throw new ArgumentException("The message must belong to the PIN it is enqueued with (same PIN id and tenant).", nameof(message));
        }
    }

    private static PinState StateOf(PinRecord pin) => new(pin.AttemptsRemaining, pin.ExpiresAt, pin.VerifiedAt, pin.Consumed);

    private static PinRecord ReadPin(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetEnum<ChannelKind>(4), r.GetString(5),
        new SealedSecret(r.GetString(6), r.GetFieldValue<byte[]>(7)), r.GetTime(8), r.GetTime(9), r.GetInt32(10), r.GetBoolean(11),
        r.GetTimeOrNull(12), r.GetBoolean(13), r.GetStringOrNull(14), r.GetStringOrNull(15), r.GetTimeOrNull(16),
        r.GetStringOrNull(17) is { } plan ? new PinWorkflow(Workflow.FromJson(plan)!, r.GetInt32(18), r.GetTimeOrNull(19), r.GetStringOrNull(20)) : null);
}
