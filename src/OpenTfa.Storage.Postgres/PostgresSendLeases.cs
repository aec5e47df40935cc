using Npgsql;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>
/// This node's leases of application send limits. Every send of an application counts against
/// one key, so sends that took that key's advisory lock would queue one commit at a time on
/// every node. Instead, the node leases a slice of the application's window in a short
/// transaction of its own (the only time it takes the key's lock) and spends it from memory: a
/// send that spends a slot writes its limit event and takes the slot off the lease row in its own
/// transaction, without the key's lock.
/// <para>
/// A lease row counts as its unspent slots, each stamped at the lease's end. Everyone counts it
/// (<see cref="PostgresLimits"/>): an unspent slot is counted as if spent at the latest moment
/// it could be, and a spent one is an ordinary limit event at its send's time, written in the same
/// transaction that takes it off the row, so every slot is counted exactly once at every moment.
/// A grant counts events and leases under the key's lock and leases at most a quarter of what is
/// free, so slices shrink as the window fills; when a quarter is too few, the node decides its
/// sends exactly, under the lock, as without leases. An exact decision that finds the window
/// full while leases hold slots revokes them (deletes their rows, waiting for sends that are
/// spending them to commit), so leases never make a send wait for a slot nobody spends, and a
/// refusal's Retry-After comes from real events. A spend that finds its row gone or shorter rolls
/// back and is decided again.
/// </para>
/// <para>
/// Only the batcher's loop uses this object, one batch at a time, so it needs no lock of its own.
/// </para>
/// </summary>
internal sealed class PostgresSendLeases(NpgsqlDataSource dataSource, TimeSpan length)
{
    /// <summary>The setting behind the one limit that is leased: an application's sends (<see cref="LimitKeys.SendPerApplication"/>).</summary>
    private const string LeasedSetting = "sendPinPerApplicationLimit";

    /// <summary>Slots of a node's first lease on a key; later ones follow what the previous lease spent.</summary>
    private const int FirstSize = 16;

    /// <summary>Fewer slots than this are not worth a transaction: the sends are decided under the lock instead.</summary>
    internal const int MinimumSize = 4;

    private const int MaximumSize = 4096;

    /// <summary>A grant takes at most this share of what is free, so that other nodes find some left and slices shrink as the window fills.</summary>
    private const int ShareOfFree = 4;

    /// <summary>
    /// How far before its earliest send a lease starts: a send's time is when its request began, so
    /// the next batch may carry slightly earlier times. The grant counts from that start.
    /// </summary>
    private static readonly TimeSpan MaximumLead = TimeSpan.FromSeconds(1);

    /// <summary>After a refused grant, sends of the key up to this much later are decided under the lock without asking again.</summary>
    private static readonly TimeSpan AfterRefusal = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);

    /// <summary>Who holds this node's leases, for an operator reading the table.</summary>
    private readonly string _holder = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public bool Enabled => length > TimeSpan.Zero;

    /// <summary>
    /// The check a send could spend from a lease, or null. A limit too small ever to lease the
    /// smallest slice is decided under its lock without asking.
    /// </summary>
    public static LimitCheck? LeasableCheck(IReadOnlyList<LimitCheck> checks)
    {
        foreach (LimitCheck check in checks)
        {
            if (check.Setting == LeasedSetting && check.Limit.Count >= MinimumSize * ShareOfFree && check.Limit.Count < int.MaxValue)
            {
                return check;
            }
        }

        return null;
    }

    /// <summary>
    /// Which sends of a batch spend a slot of a lease (null: decided under the lock), granting a
    /// lease first where a key has none that covers its sends. <paramref name="sends"/> gives each
    /// send's leasable check (or null) and time.
    /// </summary>
    public async Task<SendLease?[]> PlanAsync(IReadOnlyList<(LimitCheck? Check, DateTimeOffset Now)> sends)
    {
        var plan = new SendLease?[sends.Count];
        if (!Enabled)
        {
            return plan;
        }

        foreach (IGrouping<string, int> group in Enumerable.Range(0, sends.Count).Where(i => sends[i].Check is not null).GroupBy(i => sends[i].Check!.Key, StringComparer.Ordinal))
        {
            // Sends of one key normally carry one limit; around a change of the application, those
            // that carry another are decided under the lock.
            RateLimit limit = sends[group.First()].Check!.Limit;
            int[] candidates = group.Where(i => sends[i].Check!.Limit == limit).ToArray();
            DateTimeOffset earliest = candidates.Min(i => sends[i].Now);
            DateTimeOffset latest = candidates.Max(i => sends[i].Now);
            KeyState state = GetState(group.Key);
            SendLease? lease = state.Lease;
            if (lease is null || lease.Limit != limit || earliest < lease.StartsAt || latest >= lease.EndsAt || lease.Slots < candidates.Length)
            {
                if (state.RefusedLimit == limit && latest < state.RefusedUntil)
                {
                    continue;
                }

                lease = await GrantAsync(group.Key, limit, earliest, candidates.Length, state);
                if (lease is null)
                {
                    continue;
                }
            }

            int left = lease.Slots;
            foreach (int i in candidates)
            {
                if (left > 0 && sends[i].Now >= lease.StartsAt && sends[i].Now < lease.EndsAt)
                {
                    plan[i] = lease;
                    left--;
                }
            }
        }

        return plan;
    }

    /// <summary>A batch committed: its sends spent these slots.</summary>
    public static void Spent(SendLease lease, int slots) => lease.Slots -= slots;

    /// <summary>
    /// A lease's row was gone or shorter than this node knew (revoked, reclaimed, or a commit whose
    /// answer was lost): the node stops spending it. Whatever the row still holds is returned by the
    /// next grant, revoked, or reclaimed once it ends.
    /// </summary>
    public void Forget(SendLease lease)
    {
        if (_keys.TryGetValue(lease.Key, out KeyState? state) && ReferenceEquals(state.Lease, lease))
        {
            state.Lease = null;
        }
    }

    /// <summary>Returns every unspent slot this node holds (on shutdown); a failure leaves them to be reclaimed when the leases end.</summary>
    public async Task ReturnAllAsync()
    {
        long[] ids = _keys.Values.Select(s => s.Lease).OfType<SendLease>().Select(l => l.Id).ToArray();
        _keys.Clear();
        if (ids.Length == 0)
        {
            return;
        }

        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using NpgsqlCommand delete = connection.Command("DELETE FROM limit_leases WHERE id = ANY(@ids)");
            delete.Parameters.Add(new NpgsqlParameter("ids", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint) { Value = ids });
            await delete.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            // The store is going away; the rows end within the lease length and are reclaimed then.
        }
    }

    /// <summary>
    /// One short transaction under the key's lock: returns this node's previous lease on the key,
    /// reclaims leases that have ended (their holders can no longer spend them), counts the
    /// window, and leases a slice of what is free, or nothing when too little is.
    /// </summary>
    private async Task<SendLease?> GrantAsync(string key, RateLimit limit, DateTimeOffset earliest, int need, KeyState state)
    {
        TimeSpan lead = limit.Window / 4 < MaximumLead ? limit.Window / 4 : MaximumLead;
        DateTimeOffset startsAt = earliest - lead;
        DateTimeOffset endsAt = earliest + length;
        SendLease? previous = state.Lease;
        if (previous is not null)
        {
            // What the last lease spent says how many the next one needs: twice that, so that a node
            // whose sends grow doubles its slices and one whose sends stop halves them.
            int spent = previous.Granted - previous.Slots;
            state.NextSize = Math.Clamp(2 * spent, FirstSize, MaximumSize);
        }

        state.Lease = null;
        int desired = Math.Clamp(Math.Max(state.NextSize, need), MinimumSize, MaximumSize);
        try
        {
            await using NpgsqlConnection connection = await dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
            long inWindow;
            await using (var first = new NpgsqlBatch(connection, transaction))
            {
                first.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@key)").Long("key", Sql.LockKey("limit", key)));
                first.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM limit_leases WHERE key = @key AND (id = @own OR ends_at <= @startsAt)")
                    .Text("key", key).Long("own", previous?.Id).Time("startsAt", startsAt));
                first.BatchCommands.Add(new NpgsqlBatchCommand(PostgresLimits.CountOne).Text("key", key).Time("since", startsAt - limit.Window));
                // The lock's result first, then the count's (the delete has none).
                await using NpgsqlDataReader reader = await first.ExecuteReaderAsync(CancellationToken.None).ConfigureAwait(false);
                await reader.NextResultAsync(CancellationToken.None).ConfigureAwait(false);
                await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                inWindow = reader.GetInt64(0);
            }

            long free = limit.Count - inWindow;
            int size = (int)Math.Min(desired, free / ShareOfFree);
            SendLease? lease = null;
            if (size >= MinimumSize)
            {
                await using NpgsqlCommand insert = connection.Command(
                    """
                    INSERT INTO limit_leases (key, slots, granted, starts_at, ends_at, holder)
                    VALUES (@key, @slots, @slots, @startsAt, @endsAt, @holder) RETURNING id
                    """, transaction)
                    .Text("key", key).Int("slots", size).Time("startsAt", startsAt).Time("endsAt", endsAt).Text("holder", _holder);
                long id = (long)(await insert.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!;
                lease = new SendLease(id, key, limit, startsAt, endsAt, size);
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            state.Lease = lease;
            state.RefusedLimit = lease is null ? limit : null;
            state.RefusedUntil = earliest + AfterRefusal;
            return lease;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            // The batch decides its sends under the lock and meets the same trouble there, where
            // its sends hear of it. A lease this transaction may have committed ends unspent.
            return null;
        }
    }

    private KeyState GetState(string key)
    {
        if (!_keys.TryGetValue(key, out KeyState? state))
        {
            state = new KeyState();
            _keys[key] = state;
        }

        return state;
    }

    private sealed class KeyState
    {
        public SendLease? Lease { get; set; }

        public int NextSize { get; set; } = FirstSize;

        /// <summary>The limit under which the last grant was refused, and until when (in send time) not to ask again.</summary>
        public RateLimit? RefusedLimit { get; set; }

        public DateTimeOffset RefusedUntil { get; set; }
    }
}

/// <summary>
/// One lease as its holder knows it: <see cref="Slots"/> unspent slots of <see cref="Key"/> under
/// <see cref="Limit"/>, for sends whose time is in [<see cref="StartsAt"/>, <see cref="EndsAt"/>).
/// </summary>
internal sealed class SendLease(long id, string key, RateLimit limit, DateTimeOffset startsAt, DateTimeOffset endsAt, int granted)
{
    public long Id => id;

    public string Key => key;

    public RateLimit Limit => limit;

    public DateTimeOffset StartsAt => startsAt;

    public DateTimeOffset EndsAt => endsAt;

    public int Granted { get; } = granted;

    public int Slots { get; set; } = granted;
}
