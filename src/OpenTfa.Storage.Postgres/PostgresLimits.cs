using Npgsql;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>The sliding-window limits, counted inside the caller's transaction.</summary>
internal static class PostgresLimits
{
    /// <summary>
    /// What one key has counted in its window (<c>@key</c>, <c>@since</c>): its limit events, and
    /// the unspent slots of its leases, each stamped at its lease's end (see
    /// <see cref="PostgresSendLeases"/>). One statement, so that a send committing its event and
    /// taking its slot off a lease is seen either entirely or not at all.
    /// </summary>
    internal const string CountOne =
        """
        SELECT (SELECT count(*) FROM limit_events WHERE key = @key AND at > @since)
             + (SELECT coalesce(sum(slots), 0) FROM limit_leases WHERE key = @key AND ends_at > @since)
        """;

    /// <summary>Events and unspent leased slots of each key (<c>@keys</c>, <c>@since</c>), in the keys' order.</summary>
    internal const string CountEach =
        """
        SELECT (SELECT count(*) FROM limit_events e WHERE e.key = c.key AND e.at > c.since),
               (SELECT coalesce(sum(l.slots), 0) FROM limit_leases l WHERE l.key = c.key AND l.ends_at > c.since)
        FROM unnest(@keys, @since) WITH ORDINALITY AS c (key, since, n)
        ORDER BY c.n
        """;

    /// <summary>
    /// Checks every sliding-window limit and, when all admit the operation, counts it against
    /// each, inside the caller's transaction. Each limit key has an advisory lock held to the
    /// end of the transaction, taken in ascending lock-key order so that two operations sharing
    /// keys cannot deadlock; a waiter's next statement sees the committed events of the holder,
    /// so no window can admit more than its count, whichever node the operations run on.
    /// Unspent slots that nodes have leased count as used. When they are all that stands between
    /// a key and its limit, they are revoked first (see <see cref="RevokeAsync"/>), so that the
    /// operation is decided on what was really sent and a refusal's wait comes from real events.
    /// When several limits refuse, the refusal with the longest wait is returned: retrying any
    /// sooner would be refused again.
    /// </summary>
    public static async Task<LimitRefusal?> AdmitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<LimitCheck> checks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (checks.Count == 0)
        {
            return null;
        }

        await LockAsync(connection, transaction, checks, cancellationToken);
        DateTimeOffset[] since = checks.Select(c => now - c.Limit.Window).ToArray();
        (long Events, long Leased)[] counts = await CountAsync(connection, transaction, checks, since, cancellationToken);

        // Ends: no lease can be granted on these keys while their locks are held here.
        string[] full;
        while ((full = checks.Where((c, i) => counts[i].Leased > 0 && counts[i].Events + counts[i].Leased >= c.Limit.Count).Select(c => c.Key).ToArray()).Length > 0)
        {
            await RevokeAsync(connection, transaction, full, cancellationToken);
            counts = await CountAsync(connection, transaction, checks, since, cancellationToken);
        }

        LimitRefusal? refusal = null;
        for (int i = 0; i < checks.Count; i++)
        {
            if (counts[i].Events + counts[i].Leased < checks[i].Limit.Count)
            {
                continue;
            }

            // Under the lock, with this key's leases revoked, the events are all that count.
            await using NpgsqlCommand times = connection.Command(
                "SELECT at FROM limit_events WHERE key = @key AND at > @since ORDER BY at", transaction)
                .Text("key", checks[i].Key).Time("since", since[i]);
            List<DateTimeOffset> inWindow = await Sql.ReadAllAsync(times, r => r.GetTime(0), cancellationToken);
            var candidate = new LimitRefusal(checks[i], LimitKeys.RetryAfter(checks[i].Limit, inWindow, now));
            if (refusal is null || candidate.RetryAfter > refusal.RetryAfter)
            {
                refusal = candidate;
            }
        }

        if (refusal is not null)
        {
            return refusal;
        }

        await using NpgsqlCommand insert = connection.Command(
            "INSERT INTO limit_events (key, at, expires_at) SELECT key, @at, expires FROM unnest(@keys, @expires) AS e (key, expires)", transaction)
            .Time("at", now).Texts("keys", checks.Select(c => c.Key).ToArray()).Times("expires", checks.Select(c => now + c.Limit.Window));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Takes the advisory lock of every limit key of <paramref name="checks"/> until the
    /// transaction ends, in ascending lock-key order. The locks are re-entrant: an operation
    /// may take them before it reads what the limits guard, and <see cref="AdmitAsync"/> then
    /// takes them again.
    /// </summary>
    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<LimitCheck> checks, CancellationToken cancellationToken)
    {
        long[] lockKeys = checks.Select(c => Sql.LockKey("limit", c.Key)).Distinct().Order().ToArray();
        foreach (long key in lockKeys)
        {
            await Sql.LockAsync(connection, transaction, key, cancellationToken);
        }
    }

    /// <summary>
    /// Deletes every lease of <paramref name="keys"/>, whoever holds it, inside the caller's
    /// transaction, which holds the keys' locks (so no lease is granted meanwhile). A send spending
    /// one of those leases holds its row until it commits; the delete waits for it, so the caller's
    /// next count sees the send's event. Such a send waits for nothing while it holds the row, so
    /// the wait always ends. A send that comes later finds the row gone and is decided again.
    /// </summary>
    private static async Task RevokeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] keys, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand revoke = connection.Command("DELETE FROM limit_leases WHERE key = ANY(@keys)", transaction).Texts("keys", keys);
        await revoke.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<(long Events, long Leased)[]> CountAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<LimitCheck> checks, DateTimeOffset[] since, CancellationToken cancellationToken)
    {
        var counts = new (long, long)[checks.Count];
        await using NpgsqlCommand count = connection.Command(CountEach, transaction)
            .Texts("keys", checks.Select(c => c.Key).ToArray()).Times("since", since);
        await using NpgsqlDataReader reader = await count.ExecuteReaderAsync(cancellationToken);
        for (int i = 0; await reader.ReadAsync(cancellationToken); i++)
        {
            counts[i] = (reader.GetInt64(0), reader.GetInt64(1));
        }

        return counts;
    }
}
