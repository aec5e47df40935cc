using Microsoft.Data.Sqlite;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteStoreMaintenance(SqliteStore store) : IStoreMaintenance
{
    /// <summary>Room the health probe asks for: more than a send takes, so that sends succeed once it does.</summary>
    private const int ProbeBytes = 64 * 1024;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        store.Connections.MakePrivate();
        await using (SqliteConnection connection = await store.Connections.OpenAsync(cancellationToken))
        {
            // WAL is a property of the file; setting it once makes every later connection use it.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await store.WriteAsync(async (connection, transaction) =>
        {
            await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken);
            List<long> versions = await QueryAsync(connection, transaction, "SELECT version FROM schema_version", r => r.GetInt64(0), cancellationToken);
            long current = versions.Count == 0 ? 0 : versions.Max();
            if (current > SqliteSchema.Migrations.Length)
            {
                throw new InvalidOperationException($"The database has schema version {current}, newer than this OpenTfa knows ({SqliteSchema.Migrations.Length}); upgrade OpenTfa.");
            }

            for (long v = current; v < SqliteSchema.Migrations.Length; v++)
            {
                await ExecuteAsync(connection, transaction, SqliteSchema.Migrations[v], cancellationToken);
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM schema_version; INSERT INTO schema_version(version) VALUES ($v);", cancellationToken, ("$v", SqliteSchema.Migrations.Length));
            return 0;
        }, cancellationToken);
    }

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        if (store.DiskFull.Problem is { } problem && !await TryWriteProbeAsync(cancellationToken))
        {
            return StoreHealth.Unavailable($"cannot write: {problem}");
        }

        try
        {
            return await store.ReadAsync(async c =>
            {
                await using SqliteCommand command = Command(c, null, "SELECT COUNT(*) FROM schema_version");
                return await command.ExecuteScalarAsync(cancellationToken) is long;
            }, cancellationToken) ? StoreHealth.Ok : StoreHealth.Unavailable($"cannot read {store.Connections.DatabasePath}");
        }
        catch (SqliteException ex)
        {
            return StoreHealth.Unavailable($"cannot read {store.Connections.DatabasePath}: {ex.Message}");
        }
    }

    public Task<PruneCounts> PruneAsync(DateTimeOffset now, RetentionPolicy policy, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            // Small batches: each prune holds the write gate only briefly. An erased PIN keeps
            // its row (verification history) until the history retention deletes it.
            int sealedPins = await ExecuteAsync(c, t,
                "UPDATE pins SET pin_data = NULL, pin_key = NULL, placeholders = NULL WHERE rowid IN (SELECT rowid FROM pins WHERE expires_at < $cut AND pin_data IS NOT NULL LIMIT 1000)",
                cancellationToken, ("$cut", Ms(now - policy.PinAfterExpiry)));
            await ExecuteAsync(c, t,
                """
                UPDATE outbox SET body_data = NULL, body_key = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $now,
                    error = CASE WHEN state = $queued THEN 'not delivered before the PIN expired' ELSE error END,
                    state = CASE WHEN state = $queued THEN $failed ELSE state END
                WHERE rowid IN (SELECT rowid FROM outbox WHERE expires_at < $now AND body_data IS NOT NULL LIMIT 1000)
                """,
                cancellationToken, ("$now", Ms(now)), ("$queued", (int)MessageState.Queued), ("$failed", (int)MessageState.Failed));
            const string oldPins = "SELECT id FROM pins WHERE pin_data IS NULL AND created_at < $cut ORDER BY rowid LIMIT 1000";
            long historyCut = Ms(now - policy.History);
            int messages = await ExecuteAsync(c, t, $"DELETE FROM outbox WHERE pin_id IN ({oldPins})", cancellationToken, ("$cut", historyCut));
            int deleted = await ExecuteAsync(c, t, $"DELETE FROM pins WHERE id IN ({oldPins})", cancellationToken, ("$cut", historyCut));
            int events = await ExecuteAsync(c, t,
                "DELETE FROM limit_events WHERE rowid IN (SELECT rowid FROM limit_events WHERE expires_at < $now LIMIT 5000)", cancellationToken, ("$now", Ms(now)));
            await ExecuteAsync(c, t, "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE completed = 1 AND expires_at < $now LIMIT 1000)",
                cancellationToken, ("$now", Ms(now)));
            await ExecuteAsync(c, t, "DELETE FROM pending_receipts WHERE at < $cut", cancellationToken, ("$cut", Ms(now - TimeSpan.FromDays(1))));
            await ExecuteAsync(c, t, "DELETE FROM api_keys WHERE name LIKE 'console:%' AND scopes = '' AND expires_at < $cut",
                cancellationToken, ("$cut", Ms(now - RetentionPolicy.EndedConsoleSessions)));
            return new PruneCounts(sealedPins, deleted, messages, events);
        }, cancellationToken);

    /// <summary>Writes (and drops) a small table in one committed transaction; true, and the store healthy again, when that worked.</summary>
    private async Task<bool> TryWriteProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.WriteAsync(async (c, t) =>
            {
                await ExecuteAsync(c, t, "CREATE TABLE write_probe (room BLOB)", cancellationToken);
                await ExecuteAsync(c, t, "INSERT INTO write_probe VALUES (zeroblob($bytes))", cancellationToken, ("$bytes", ProbeBytes));
                return await ExecuteAsync(c, t, "DROP TABLE write_probe", cancellationToken);
            }, cancellationToken);
        }
        catch (SqliteException)
        {
            return false;
        }

        store.DiskFull.Recovered();
        return true;
    }
}
