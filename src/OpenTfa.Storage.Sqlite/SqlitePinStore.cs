using Microsoft.Data.Sqlite;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Workflows;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed partial class SqlitePinStore(SqliteStore store) : IPinStore
{
    private const string PinColumns =
        "id, tenant_id, application_id, template_id, kind, destination, pin_key, pin_data, created_at, expires_at, attempts_remaining, sent, verified_at, consumed, placeholders, from_value, canceled_at, " +
        "workflow, workflow_step, workflow_due, workflow_message";

    private const string PendingPin =
        $"SELECT {PinColumns} FROM pins WHERE tenant_id = $tenant AND application_id = $app AND destination = $dest AND pin_data IS NOT NULL " +
        "AND verified_at IS NULL AND canceled_at IS NULL AND consumed = 0 AND attempts_remaining > 0 AND expires_at > $now ORDER BY created_at DESC, rowid DESC LIMIT 1";

    /// <summary>The one statement that changes a PIN and keeps <see cref="HotPins"/> true itself; every other one that writes <c>pins</c> retires it.</summary>
    internal const string VerifyUpdate =
        """
        UPDATE pins SET attempts_remaining = $attempts, verified_at = $verified, consumed = $consumed,
            verify_log = CASE WHEN length(coalesce(verify_log, '')) < $maxLog THEN coalesce(verify_log, '') || $entry ELSE verify_log END
        WHERE id = $id
        """;

    internal const string InsertPin =
        $"INSERT INTO pins({PinColumns}) VALUES ($id, $tenant, $app, $template, $kind, $dest, $key, $data, $created, $expires, $attempts, $sent, NULL, 0, $placeholders, $from, NULL, $workflow, $step, $due, $wmessage)";

    public Task<LimitRefusal?> IssuePinAsync(PinRecord pin, OutboxMessage? message, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            LimitRefusal? refusal = await CountLimitsAsync(c, t, limits, now, cancellationToken);
            if (refusal is null)
            {
                await InsertPinAsync(c, t, pin, message, cancellationToken);
            }

            return refusal;
        }, cancellationToken);

    public Task<PinRecord?> GetPinAsync(string tenantId, string pinId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, $"SELECT {PinColumns} FROM pins WHERE id = $id AND tenant_id = $tenant AND pin_data IS NOT NULL",
            ReadPin, cancellationToken, ("$id", pinId), ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task<ResendResult> ResendPinAsync(ResendOperation operation, CancellationToken cancellationToken) =>
        store.WriteAsync<ResendResult>(async (c, t) =>
        {
            PinRecord? pin = (await QueryAsync(c, t, $"SELECT {PinColumns} FROM pins WHERE id = $id AND tenant_id = $tenant AND pin_data IS NOT NULL",
                ReadPin, cancellationToken, ("$id", operation.PinId), ("$tenant", operation.TenantId))).FirstOrDefault();
            if (pin is null)
            {
                return new ResendResult.NotFound();
            }

            PinError refusal = PinRules.CanResend(StateOf(pin), operation.Now);
            if (refusal != PinError.None)
            {
                return new ResendResult.Refused(refusal);
            }

            LimitRefusal? limited = await CountLimitsAsync(c, t, operation.Limits, operation.Now, cancellationToken);
            if (limited is not null)
            {
                return new ResendResult.Limited(limited);
            }

            await SqliteOutboxStore.EnqueueAsync(c, t, operation.Message, cancellationToken);
            await ExecuteAsync(c, t, "UPDATE pins SET sent = 1 WHERE id = $id", cancellationToken, ("$id", pin.Id));
            return new ResendResult.Resent();
        }, cancellationToken);

    public Task<VerifyResult> VerifyPinAsync(VerifyOperation operation, CancellationToken cancellationToken) =>
        store.WriteAsync<VerifyResult>(async (c, t) =>
        {
            PinRecord? pin = await WriterPinAsync(c, t, operation.TenantId, operation.PinId, cancellationToken);
            if (pin is null)
            {
                return new VerifyResult.NotFound();
            }

            Result<VerifyTerms> terms = await operation.Terms(pin, cancellationToken);
            if (!terms.IsSuccess)
            {
                return new VerifyResult.Refused(terms.Error);
            }

            // The verify limit comes first: a refused verify burns no attempt.
            (bool matches, bool allowMultiple, LimitCheck limit, int? failureCap) = terms.Value;
            LimitRefusal? limited = await CountLimitsAsync(c, t, [limit], operation.Now, cancellationToken);
            if (limited is not null)
            {
                return new VerifyResult.Limited(pin, limited);
            }

            if (failureCap is int cap)
            {
                int failures = await SqliteProtectionStore.VerifyFailuresAsync(c, t, pin.ApplicationId, pin.Destination, cancellationToken);
                if (failures >= cap)
                {
                    return new VerifyResult.LockedOut(pin, failures);
                }
            }

            VerifyDecision decision = PinRules.Decide(StateOf(pin), matches, allowMultiple, operation.Now);
            PinState next = decision.NewState;
            await ExecuteAsync(c, t, VerifyUpdate,
                cancellationToken, ("$id", pin.Id), ("$attempts", next.AttemptsRemaining), ("$verified", Ms(next.VerifiedAt)), ("$consumed", next.Consumed),
                ("$entry", VerifyLog.Entry(operation.Now, decision)), ("$maxLog", VerifyLog.MaxLength));
            if (failureCap is not null && decision.Error == PinError.WrongPin)
            {
                await ExecuteAsync(c, t,
                    """
                    INSERT INTO verify_failures(application_id, destination, tenant_id, failures, last_failure_at) VALUES ($app, $dest, $tenant, 1, $now)
                    ON CONFLICT (application_id, destination) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
                    """,
                    cancellationToken, ("$app", pin.ApplicationId), ("$dest", pin.Destination), ("$tenant", pin.TenantId), ("$now", Ms(operation.Now)));
            }
            else if (failureCap is not null && decision.Verified)
            {
                await ExecuteAsync(c, t, "DELETE FROM verify_failures WHERE application_id = $app AND destination = $dest",
                    cancellationToken, ("$app", pin.ApplicationId), ("$dest", pin.Destination));
            }

            PinRecord verified = pin with { AttemptsRemaining = next.AttemptsRemaining, VerifiedAt = next.VerifiedAt, Consumed = next.Consumed };
            store.HotPins.Stage(AsStored(verified));
            return new VerifyResult.Decided(verified, decision);
        }, cancellationToken);

    public Task<PinRecord?> FindPendingPinAsync(string tenantId, string applicationId, string destination, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, PendingPin, ReadPin, cancellationToken,
            ("$tenant", tenantId), ("$app", applicationId), ("$dest", destination), ("$now", Ms(now)))).FirstOrDefault(), cancellationToken);

    public Task<PinRecord?> FindNewestPinAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null,
            $"SELECT {PinColumns} FROM pins WHERE tenant_id = $tenant AND application_id = $app AND destination = $dest AND pin_data IS NOT NULL ORDER BY created_at DESC, rowid DESC LIMIT 1",
            ReadPin, cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$dest", destination))).FirstOrDefault(), cancellationToken);

    public Task<StartVerificationResult> StartVerificationAsync(StartVerificationOperation operation, CancellationToken cancellationToken) =>
        store.WriteAsync<StartVerificationResult>(async (c, t) =>
        {
            // One writer: nothing else can issue or end a PIN between this read and the writes below.
            PinRecord? pending = (await QueryAsync(c, t, PendingPin, ReadPin, cancellationToken, ("$tenant", operation.TenantId),
                ("$app", operation.ApplicationId), ("$dest", operation.Destination), ("$now", Ms(operation.Now)))).FirstOrDefault();
            if (pending?.Id != operation.PendingPinId)
            {
                return new StartVerificationResult.Raced();
            }

            if (pending is null)
            {
                LimitRefusal? refusal = await CountLimitsAsync(c, t, operation.Limits, operation.Now, cancellationToken);
                if (refusal is not null)
                {
                    return new StartVerificationResult.Limited(refusal);
                }

                await InsertPinAsync(c, t, operation.Fresh.Pin, operation.Fresh.Message, cancellationToken);
                return new StartVerificationResult.Issued();
            }

            long sends;
            await using (SqliteCommand count = Command(c, t, "SELECT COUNT(*) FROM outbox WHERE pin_id = $id", ("$id", pending.Id)))
            {
                sends = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            }

            if (sends >= operation.MaxSends)
            {
                return new StartVerificationResult.MaxSendsReached();
            }

            LimitRefusal? limited = await CountLimitsAsync(c, t, operation.Limits, operation.Now, cancellationToken);
            if (limited is not null)
            {
                return new StartVerificationResult.Limited(limited);
            }

            await SqliteOutboxStore.EnqueueAsync(c, t, operation.Reuse!, cancellationToken);
            await ExecuteAsync(c, t, "UPDATE pins SET sent = 1 WHERE id = $id", cancellationToken, ("$id", pending.Id));
            return new StartVerificationResult.Reused((int)sends + 1);
        }, cancellationToken);

    public Task<CloseResult> ClosePinAsync(string tenantId, string pinId, PinClosure closure, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync<CloseResult>(async (c, t) =>
        {
            PinRecord? pin = (await QueryAsync(c, t, $"SELECT {PinColumns} FROM pins WHERE id = $id AND tenant_id = $tenant AND pin_data IS NOT NULL",
                ReadPin, cancellationToken, ("$id", pinId), ("$tenant", tenantId))).FirstOrDefault();
            if (pin is null)
            {
                return new CloseResult.NotFound();
            }

            if (!pin.IsPendingAt(now))
            {
                return new CloseResult.NotPending(pin);
            }

            PinRecord closed = closure == PinClosure.Approved ? pin with { VerifiedAt = now, Consumed = true } : pin with { CanceledAt = now, Consumed = true };
            await ExecuteAsync(c, t, "UPDATE pins SET verified_at = $verified, canceled_at = $canceled, consumed = 1 WHERE id = $id", cancellationToken,
                ("$id", pin.Id), ("$verified", Ms(closed.VerifiedAt)), ("$canceled", Ms(closed.CanceledAt)));
            return new CloseResult.Closed(closed);
        }, cancellationToken);

    public Task<IReadOnlyList<VerificationEntry>> ListVerificationsAsync(VerificationQuery query, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<VerificationEntry>>(async c => await QueryAsync(c, null,
            """
            SELECT destination, sent, created_at, verified_at FROM pins
            WHERE tenant_id = $tenant AND application_id = $app AND destination = $dest
              AND ($verified IS NULL OR (verified_at IS NOT NULL) = $verified)
              AND ($sent IS NULL OR sent = $sent)
            ORDER BY created_at DESC, rowid DESC
            """,
            r => new VerificationEntry(r.GetString(0), r.GetBoolean(1), Time(r, 2), OptionalTime(r, 3)), cancellationToken,
            ("$tenant", query.TenantId), ("$app", query.ApplicationId), ("$dest", query.Destination), ("$verified", query.Verified), ("$sent", query.Sent)), cancellationToken);

    /// <summary>
    /// Checks every limit against the accepted operations still inside its window; when all
    /// admit one more, records one for each. Runs inside the caller's write transaction.
    /// </summary>
    private async Task<LimitRefusal?> CountLimitsAsync(SqliteConnection c, SqliteTransaction t, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        LimitRefusal? worst = null;
        foreach (LimitCheck check in limits)
        {
            long since = Ms(now - check.Limit.Window);
            long inWindow = await CountInWindowAsync(c, t, check.Key, since, cancellationToken);
            if (inWindow < check.Limit.Count)
            {
                continue;
            }

            List<DateTimeOffset> times = await QueryAsync(c, t, "SELECT at FROM limit_events WHERE key = $key AND at > $since ORDER BY at LIMIT $n",
                r => Time(r, 0), cancellationToken, ("$key", check.Key), ("$since", since), ("$n", inWindow - check.Limit.Count + 1));
            var refusal = new LimitRefusal(check, LimitKeys.RetryAfter(check.Limit, PadTo(times, (int)inWindow), now));
            if (worst is null || refusal.RetryAfter > worst.RetryAfter)
            {
                worst = refusal;
            }
        }

        if (worst is not null)
        {
            return worst;
        }

        foreach (LimitCheck check in limits)
        {
            await ExecuteAsync(c, t, "INSERT INTO limit_events(key, at, expires_at) VALUES ($key, $at, $expires)", cancellationToken,
                ("$key", check.Key), ("$at", Ms(now)), ("$expires", Ms(now + check.Limit.Window)));
            store.LimitWindows.Record(check.Key, Ms(now));
        }

        return null;
    }

    /// <summary>
    /// The accepted operations of <paramref name="key"/> after <paramref name="since"/>: from
    /// memory for a busy key, else from the database (and a key found busy is held from then on).
    /// </summary>
    private async Task<long> CountInWindowAsync(SqliteConnection c, SqliteTransaction t, string key, long since, CancellationToken cancellationToken)
    {
        if (store.LimitWindows.TryCount(key, since, out long held))
        {
            return held;
        }

        long count;
        await using (SqliteCommand command = Command(c, t, "SELECT COUNT(*) FROM limit_events WHERE key = $key AND at > $since", ("$key", key), ("$since", since)))
        {
            count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        if (count >= LimitWindows.CacheThreshold)
        {
            List<long> times = await QueryAsync(c, t, "SELECT at FROM limit_events WHERE key = $key AND at > $since ORDER BY at",
                r => r.GetInt64(0), cancellationToken, ("$key", key), ("$since", since));
            store.LimitWindows.Load(key, since, times);
        }

        return count;
    }

    /// <summary>Only the oldest events decide the wait; the list is padded so that its indices match the full window.</summary>
    private static List<DateTimeOffset> PadTo(List<DateTimeOffset> oldest, int count)
    {
        while (oldest.Count < count)
        {
            oldest.Add(oldest[^1]);
        }

        return oldest;
    }

    private async Task InsertPinAsync(SqliteConnection c, SqliteTransaction t, PinRecord pin, OutboxMessage? message, CancellationToken cancellationToken)
    {
        await ExecuteAsync(c, t, InsertPin,
            cancellationToken,
            ("$id", pin.Id), ("$tenant", pin.TenantId), ("$app", pin.ApplicationId), ("$template", pin.TemplateId), ("$kind", (int)pin.Kind),
            ("$dest", pin.Destination), ("$key", pin.Pin.KeyId), ("$data", pin.Pin.Data), ("$created", Ms(pin.CreatedAt)), ("$expires", Ms(pin.ExpiresAt)),
            ("$attempts", pin.AttemptsRemaining), ("$sent", pin.Sent), ("$placeholders", pin.PlaceholdersJson), ("$from", pin.From),
            ("$workflow", pin.Workflow?.Plan.ToJson()), ("$step", pin.Workflow?.StepsRun), ("$due", Ms(pin.Workflow?.DueAt)), ("$wmessage", pin.Workflow?.CurrentMessageId));
        store.HotPins.Stage(AsStored(pin with { VerifiedAt = null, Consumed = false, CanceledAt = null }));
        if (message is not null)
        {
            await SqliteOutboxStore.EnqueueAsync(c, t, message, cancellationToken);
        }
    }

    /// <summary>A PIN read inside the writer's transaction: from <see cref="HotPins"/> when it holds it.</summary>
    private async Task<PinRecord?> WriterPinAsync(SqliteConnection c, SqliteTransaction t, string tenantId, string pinId, CancellationToken cancellationToken)
    {
        if (store.HotPins.TryGet(pinId, out PinRecord held))
        {
            return held.TenantId == tenantId ? held : null;
        }

        PinRecord? pin = (await QueryAsync(c, t, $"SELECT {PinColumns} FROM pins WHERE id = $id AND tenant_id = $tenant AND pin_data IS NOT NULL",
            ReadPin, cancellationToken, ("$id", pinId), ("$tenant", tenantId))).FirstOrDefault();
        if (pin is not null)
        {
            store.HotPins.Stage(pin);
        }

        return pin;
    }

    /// <summary><paramref name="pin"/> as a read of its row would give it: times to the millisecond.</summary>
    private static PinRecord AsStored(PinRecord pin)
    {
        static DateTimeOffset Stored(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(Ms(time));
        return pin with
        {
            CreatedAt = Stored(pin.CreatedAt),
            ExpiresAt = Stored(pin.ExpiresAt),
            VerifiedAt = pin.VerifiedAt is { } verified ? Stored(verified) : null,
            CanceledAt = pin.CanceledAt is { } canceled ? Stored(canceled) : null,
            Workflow = pin.Workflow is { DueAt: { } due } workflow ? workflow with { DueAt = Stored(due) } : pin.Workflow,
        };
    }

    private static PinState StateOf(PinRecord pin) => new(pin.AttemptsRemaining, pin.ExpiresAt, pin.VerifiedAt, pin.Consumed);

    private static PinRecord ReadPin(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), (ChannelKind)r.GetInt32(4), r.GetString(5),
        new SealedSecret(r.GetString(6), (byte[])r.GetValue(7)), Time(r, 8), Time(r, 9), r.GetInt32(10), r.GetBoolean(11),
        OptionalTime(r, 12), r.GetBoolean(13), OptionalString(r, 14), OptionalString(r, 15), OptionalTime(r, 16),
        OptionalString(r, 17) is { } plan ? new PinWorkflow(Workflow.FromJson(plan)!, r.GetInt32(18), OptionalTime(r, 19), OptionalString(r, 20)) : null);
}
