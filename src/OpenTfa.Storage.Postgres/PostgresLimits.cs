using Npgsql;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>The sliding-window limits, counted inside the caller's transaction.</summary>
internal static class PostgresLimits
{
    /// <summary>
    /// Checks every sliding-window limit and, when all admit the operation, counts it against
    /// each, inside the caller's transaction. Each limit key has an advisory lock held to the
    /// end of the transaction, taken in ascending lock-key order so that two operations sharing
    /// keys cannot deadlock; a waiter's next statement sees the committed events of the holder,
    /// so no window can admit more than its count, whichever node the operations run on.
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
        var counts = new long[checks.Count];
        await using (NpgsqlCommand count = connection.Command(
            """
            SELECT (SELECT count(*) FROM limit_events e WHERE e.key = c.key AND e.at > c.since)
            FROM unnest(@keys, @since) WITH ORDINALITY AS c (key, since, n)
            ORDER BY c.n
            """, transaction)
            .Texts("keys", checks.Select(c => c.Key).ToArray()).Times("since", since))
        {
            await using NpgsqlDataReader reader = await count.ExecuteReaderAsync(cancellationToken);
            for (int i = 0; await reader.ReadAsync(cancellationToken); i++)
            {
                counts[i] = reader.GetInt64(0);
            }
        }

        LimitRefusal? refusal = null;
        for (int i = 0; i < checks.Count; i++)
        {
            if (counts[i] < checks[i].Limit.Count)
            {
                continue;
            }

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
}
