using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>
/// Issues PINs in group commits. Sends are grouped into one transaction per batch: the sends that queued while the previous
/// batch committed share the next commit (one WAL flush instead of one each).
/// An application's send limit is one key shared by all its sends; sends that held its lock to
/// their commit would queue one commit at a time on every node, so they spend slots that this
/// node leased beforehand instead (<see cref="PostgresSendLeases"/>), and the batch takes the
/// locks of its other keys only: each destination's, which no other destination shares, and the
/// protection caps'. Within a batch the sends are decided one after the other, each seeing the
/// ones before it: every key the batch locks is locked first (in ascending order, as every other
/// operation locks them), counted once, and the count is carried forward as sends are admitted.
/// A send whose carried count reaches its limit is decided exactly by <see cref="PostgresLimits.AdmitAsync"/>
/// against the database, as an ungrouped send would be. A send that spends a leased slot writes its
/// limit event and takes the slot off the lease's row in the batch's transaction; when the row is
/// gone or shorter (revoked near the limit), the batch rolls back and is decided again. If
/// anything else fails, the batch rolls back and each of its sends runs again in a transaction of
/// its own, under every key's lock, so a send the database refuses fails alone.
/// </summary>
internal sealed class PostgresSendBatcher(NpgsqlDataSource dataSource, TimeSpan leaseLength)
{
    private const int MaxSendsPerCommit = 64;

    /// <summary>Batches that found a lease revoked under them are decided again; after this many in a row, under the locks.</summary>
    private const int MaxLeaseLosses = 3;

    private const string InsertPin =
        $"""
        INSERT INTO pins ({PostgresPinStore.PinColumns})
        VALUES (@id, @tenant, @application, @template, @kind, @destination, @keyId, @data, @created, @expires,
            @attempts, @sent, @verified, @consumed, @placeholders, @sender, @canceled, @workflow, @step, @due, @wmessage)
        """;

    private const string InsertMessage =
        """
        INSERT INTO outbox_messages (id, pin_id, tenant_id, application_id, kind, recipient, sender, body_key_id, body_data,
            created_at, expires_at, state, attempts, next_attempt_at, updated_at, trace_parent, step)
        VALUES (@id, @pin, @tenant, @application, @kind, @to, @from, @keyId, @data,
            @created, @expires, 'Queued', @attempts, @now, @now, @trace, @step)
        """;

    private const string InsertLimitEvents =
        "INSERT INTO limit_events (key, at, expires_at) SELECT key, @at, expires FROM unnest(@keys, @expires) AS e (key, expires)";

    /// <summary>
    /// Takes a slice of each lease a batch spends, and only if no one else holds the row: a send that
    /// holds a lease row waits for nothing, so a revocation waiting for it always ends.
    /// </summary>
    private const string SpendLeases =
        """
        WITH held AS (SELECT id FROM limit_leases WHERE id = ANY(@ids) FOR UPDATE NOWAIT)
        UPDATE limit_leases l SET slots = l.slots - s.n
        FROM unnest(@ids, @slots) AS s (id, n), held
        WHERE l.id = s.id AND held.id = s.id AND l.slots >= s.n
        """;

    private readonly PostgresSendLeases _leases = new(dataSource, leaseLength);
    private readonly Channel<PendingSend> _sends = Channel.CreateUnbounded<PendingSend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _start = new();
    private Task? _loop;
    private volatile bool _closing;

    /// <summary>A batcher with the default lease length.</summary>
    public PostgresSendBatcher(NpgsqlDataSource dataSource)
        : this(dataSource, PostgresStoreOptions.DefaultSendLimitLease)
    {
    }

    /// <summary>Queues one send; the task completes with its refusal, or null once it has committed.</summary>
    public Task<LimitRefusal?> IssueAsync(PinRecord pin, OutboxMessage? message, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_closing, this);
        cancellationToken.ThrowIfCancellationRequested();
        var send = new PendingSend(pin, message, limits, now, cancellationToken);
        if (_loop is null)
        {
            lock (_start)
            {
                _loop ??= Task.Run(RunAsync, CancellationToken.None);
            }
        }

        ObjectDisposedException.ThrowIf(!_sends.Writer.TryWrite(send), this);
        return send.Task;
    }

    /// <summary>Lets the sends already queued commit, then stops taking new ones and returns the unspent leased slots.</summary>
    public async Task CloseAsync()
    {
        _closing = true;
        _sends.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
            await _leases.ReturnAllAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingSend>(MaxSendsPerCommit);
        ChannelReader<PendingSend> queue = _sends.Reader;
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxSendsPerCommit && queue.TryRead(out PendingSend? send))
            {
                if (send.TryStart())
                {
                    batch.Add(send);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            await IssueBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>
    /// Issues the batch together. When the database refuses a statement, nothing of the batch
    /// committed and each send runs again on its own, so that the send it refused fails alone and
    /// the others are decided as usual. When the database does not answer at all (connection
    /// lost, timeout), the batch is tried once more on fresh connections, in case the pool held
    /// connections that died with a restart; if that fails too, every send of the batch fails at
    /// once, within the connect or command timeout, rather than each in turn after its own wait.
    /// When a lease the batch spent was revoked, nothing committed and the batch is decided again.
    /// </summary>
    private async Task IssueBatchAsync(List<PendingSend> batch)
    {
        bool retried = false;
        int leaseLosses = 0;
        while (true)
        {
            try
            {
                await PlanLeasesAsync(batch, leaseLosses < MaxLeaseLosses).ConfigureAwait(false);
                await IssueTogetherAsync(batch).ConfigureAwait(false);
                foreach (PendingSend send in batch)
                {
                    send.Complete();
                }

                return;
            }
            catch (LeaseLostException)
            {
                foreach (SendLease lease in batch.Select(s => s.Lease).OfType<SendLease>().Distinct())
                {
                    _leases.Forget(lease);
                }

                leaseLosses++;
            }
            catch (Exception ex) when (!AnsweredBy(ex) && !retried)
            {
                retried = true;
                dataSource.Clear();
            }
            catch (Exception ex) when (!AnsweredBy(ex))
            {
                foreach (PendingSend send in batch)
                {
                    send.Fail(ex);
                }

                return;
            }
            catch (Exception)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (await IssueAloneAsync(batch[i]).ConfigureAwait(false) is { } unanswered)
                    {
                        foreach (PendingSend rest in batch.Skip(i + 1))
                        {
                            rest.Fail(unanswered);
                        }

                        return;
                    }
                }

                return;
            }
        }
    }

    /// <summary>Which sends of the batch spend a leased slot; none when <paramref name="leasing"/> is off.</summary>
    private async Task PlanLeasesAsync(List<PendingSend> batch, bool leasing)
    {
        SendLease?[] plan = leasing
            ? await _leases.PlanAsync(batch.Select(s => (PostgresSendLeases.LeasableCheck(s.Limits), s.Now)).ToArray()).ConfigureAwait(false)
            : new SendLease?[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Spend(plan[i]);
        }
    }

    /// <summary>True when the database answered with an error; false when it did not answer (a lost connection, a timeout).</summary>
    private static bool AnsweredBy(Exception ex) => ex is PostgresException;

    /// <summary>Decides and writes every send of the batch in one transaction; throws, having committed nothing, if any statement fails.</summary>
    private async Task IssueTogetherAsync(List<PendingSend> batch)
    {
        await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);

        // Every key the batch decides under its lock (all but the leased ones), locked once in
        // ascending order and counted once, from the earliest window start any of its sends asks
        // about: a later start can only count fewer.
        var since = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (PendingSend send in batch)
        {
            foreach (LimitCheck check in send.Locked)
            {
                DateTimeOffset start = send.Now - check.Limit.Window;
                since[check.Key] = since.TryGetValue(check.Key, out DateTimeOffset known) && known <= start ? known : start;
            }
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        if (since.Count > 0)
        {
            long[] locks = since.Keys.Select(k => Sql.LockKey("limit", k)).Distinct().Order().ToArray();
            await using (NpgsqlCommand lockAll = connection.Command("SELECT pg_advisory_xact_lock(k) FROM unnest(@keys) AS k", transaction))
            {
                lockAll.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = locks });
                await lockAll.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            string[] keys = since.Keys.ToArray();
            await using NpgsqlCommand count = connection.Command(PostgresLimits.CountEach, transaction)
                .Texts("keys", keys).Times("since", keys.Select(k => since[k]));
            await using NpgsqlDataReader reader = await count.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
            for (int i = 0; await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false); i++)
            {
                counts[keys[i]] = reader.GetInt64(0) + reader.GetInt64(1);
            }
        }

        // The rows of admitted sends are written together, in one round trip, before anything
        // that has to see them (an exact count) and at the end.
        var pending = new NpgsqlBatch(connection, transaction);
        var spent = new Dictionary<SendLease, int>();
        foreach (PendingSend send in batch)
        {
            if (send.Locked.All(c => counts.TryGetValue(c.Key, out long n) && n < c.Limit.Count))
            {
                foreach (LimitCheck check in send.Locked)
                {
                    counts[check.Key]++;
                }

                Append(pending, send, send.Limits);
                Admit(send, spent);
                continue;
            }

            // Near a limit: decided exactly, by the same step an ungrouped send takes.
            await FlushAsync(pending).ConfigureAwait(false);
            pending = new NpgsqlBatch(connection, transaction);
            LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, send.Locked, send.Now, CancellationToken.None).ConfigureAwait(false);

            foreach (LimitCheck check in send.Locked)
            {
                counts.Remove(check.Key);
            }

            if (refusal is not null)
            {
                send.Refuse(refusal);
                continue;
            }

            Append(pending, send, send.Leased is { } leased ? [leased] : []);
            Admit(send, spent);
        }

        if (spent.Count > 0)
        {
            // First in the last round trip, so that a lease found revoked stops the batch before its rows are written.
            var take = new NpgsqlBatchCommand(SpendLeases);
            take.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = spent.Keys.Select(l => l.Id).ToArray() });
            take.Parameters.Add(new NpgsqlParameter("slots", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = spent.Values.ToArray() });
            pending.BatchCommands.Insert(0, take);
            try
            {
                await FlushAsync(pending).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new LeaseLostException(ex);
            }

            if (take.RecordsAffected != spent.Count)
            {
                throw new LeaseLostException(null);
            }
        }
        else
        {
            await FlushAsync(pending).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        foreach ((SendLease lease, int slots) in spent)
        {
            PostgresSendLeases.Spent(lease, slots);
        }
    }

    private static void Admit(PendingSend send, Dictionary<SendLease, int> spent)
    {
        send.Admit();
        if (send.Lease is { } lease)
        {
            spent[lease] = spent.GetValueOrDefault(lease) + 1;
        }
    }

    /// <summary>Writes the rows gathered so far, in one round trip.</summary>
    private static async Task FlushAsync(NpgsqlBatch pending)
    {
        await using (pending)
        {
            if (pending.BatchCommands.Count > 0)
            {
                await pending.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One send in its own transaction, as sends were before grouping: for a batch that failed.
    /// Returns the failure when the database did not answer, so that the sends after it do not wait in turn.
    /// </summary>
    private async Task<Exception?> IssueAloneAsync(PendingSend send)
    {
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, send.Limits, send.Now, CancellationToken.None).ConfigureAwait(false);
            if (refusal is null)
            {
                await using NpgsqlBatch rows = new(connection, transaction);
                Append(rows, send, []);
                await rows.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                send.Admit();
            }
            else
            {
                send.Refuse(refusal);
            }

            send.Complete();
            return null;
        }
        catch (Exception ex)
        {
            send.Fail(ex);
            return AnsweredBy(ex) ? null : ex;
        }
    }

    /// <summary>Adds the send's rows, and a limit event of each of <paramref name="counted"/>, to <paramref name="pending"/>.</summary>
    private static void Append(NpgsqlBatch pending, PendingSend send, IReadOnlyList<LimitCheck> counted)
    {
        if (counted.Count > 0)
        {
            pending.BatchCommands.Add(new NpgsqlBatchCommand(InsertLimitEvents)
                .Time("at", send.Now).Texts("keys", counted.Select(c => c.Key).ToArray()).Times("expires", counted.Select(c => send.Now + c.Limit.Window)));
        }

        AppendRows(pending, send.Pin, send.Message, send.Now);
    }

    /// <summary>Adds the rows of an issued PIN, and of its message when it has one, to <paramref name="pending"/>; counts no limit.</summary>
    internal static void AppendRows(NpgsqlBatch pending, PinRecord pin, OutboxMessage? message, DateTimeOffset now)
    {
        pending.BatchCommands.Add(new NpgsqlBatchCommand(InsertPin)
            .Text("id", pin.Id).Text("tenant", pin.TenantId).Text("application", pin.ApplicationId).Text("template", pin.TemplateId)
            .Text("kind", Sql.Name(pin.Kind)).Text("destination", pin.Destination).Text("keyId", pin.Pin.KeyId).Bytes("data", pin.Pin.Data)
            .Time("created", pin.CreatedAt).Time("expires", pin.ExpiresAt).Int("attempts", pin.AttemptsRemaining).Bool("sent", pin.Sent)
            .Time("verified", pin.VerifiedAt).Bool("consumed", pin.Consumed).Text("placeholders", pin.PlaceholdersJson).Text("sender", pin.From)
            .Time("canceled", pin.CanceledAt).Text("workflow", pin.Workflow?.Plan.ToJson()).Long("step", pin.Workflow?.StepsRun)
            .Time("due", pin.Workflow?.DueAt).Text("wmessage", pin.Workflow?.CurrentMessageId));

        if (message is not null)
        {
            pending.BatchCommands.Add(new NpgsqlBatchCommand(InsertMessage)
                .Text("id", message.Id).Text("pin", message.PinId).Text("tenant", message.TenantId).Text("application", message.ApplicationId)
                .Text("kind", Sql.Name(message.Kind)).Text("to", message.To).Text("from", message.From)
                .Text("keyId", message.Body.KeyId).Bytes("data", message.Body.Data)
                .Time("created", message.CreatedAt).Time("expires", message.ExpiresAt).Int("attempts", message.Attempts).Time("now", now).Text("trace", message.TraceParent).Long("step", message.Step));
        }
    }

    private sealed class PendingSend(PinRecord pin, OutboxMessage? message, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<LimitRefusal?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private LimitRefusal? _refusal;

        public PinRecord Pin => pin;

        public OutboxMessage? Message => message;

        public IReadOnlyList<LimitCheck> Limits { get; } = limits;

        public DateTimeOffset Now => now;

        /// <summary>The lease this attempt spends a slot of, or null.</summary>
        public SendLease? Lease { get; private set; }

        /// <summary>The check that the lease covers, when there is one.</summary>
        public LimitCheck? Leased { get; private set; }

        /// <summary>The checks decided under their locks: all but the leased one.</summary>
        public IReadOnlyList<LimitCheck> Locked { get; private set; } = limits;

        public Task<LimitRefusal?> Task => _completion.Task;

        /// <summary>False when the caller gave up before the send started; it is then skipped.</summary>
        public bool TryStart()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(cancellationToken);
                return false;
            }

            return true;
        }

        /// <summary>Spends a slot of <paramref name="lease"/> (or none) for the application's send limit.</summary>
        public void Spend(SendLease? lease)
        {
            Lease = lease;
            Leased = lease is null ? null : Limits.First(c => c.Key == lease.Key);
            Locked = lease is null ? Limits : Limits.Where(c => c.Key != lease.Key).ToArray();
        }

        public void Admit() => _refusal = null;

        public void Refuse(LimitRefusal refusal) => _refusal = refusal;

        public void Fail(Exception error) => _completion.TrySetException(error);

        /// <summary>The batch committed: the caller hears its decision.</summary>
        public void Complete() => _completion.TrySetResult(_refusal);
    }

    /// <summary>A lease the batch spent was revoked or reclaimed: the batch rolled back and is decided again.</summary>
    private sealed class LeaseLostException(Exception? inner) : Exception("A leased send limit slot was revoked.", inner);
}
