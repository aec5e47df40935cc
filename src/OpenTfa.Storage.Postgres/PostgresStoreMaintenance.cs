using Npgsql;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresStoreMaintenance(PostgresStore store) : IStoreMaintenance
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Serializes schema migration across every node starting against the database.</summary>
    private static readonly long MigrationLock = Sql.LockKey("schema", "migration");

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.LockAsync(connection, transaction, MigrationLock, cancellationToken);
        await using (NpgsqlCommand create = connection.Command(PostgresSchema.VersionTable, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        int current;
        await using (NpgsqlCommand version = connection.Command("SELECT COALESCE(max(version), 0) FROM schema_version", transaction))
        {
            current = (int)(await version.ExecuteScalarAsync(cancellationToken))!;
        }

        // A database already migrated further by a newer node is left as it is: migrations only add.
        foreach (Migration migration in PostgresSchema.Migrations.Where(m => m.Version > current))
        {
            await using (NpgsqlCommand step = connection.Command(migration.Sql, transaction))
            {
                await step.ExecuteNonQueryAsync(cancellationToken);
            }

            await using NpgsqlCommand record = connection.Command(
                "INSERT INTO schema_version (version, description) VALUES (@version, @description)", transaction)
                .Int("version", migration.Version).Text("description", migration.Description);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HealthTimeout);
        try
        {
            await using NpgsqlConnection connection = await store.OpenAsync(timeout.Token);
            await using NpgsqlCommand command = connection.Command("SELECT 1");
            command.CommandTimeout = (int)HealthTimeout.TotalSeconds;
            return await command.ExecuteScalarAsync(timeout.Token) is 1 ? StoreHealth.Ok : StoreHealth.Unavailable("PostgreSQL answered SELECT 1 unexpectedly");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException
            && !cancellationToken.IsCancellationRequested)
        {
            return StoreHealth.Unavailable(timeout.IsCancellationRequested
                ? $"PostgreSQL did not answer within {HealthTimeout.TotalSeconds:0} s"
                : $"PostgreSQL is unreachable: {ex.Message}");
        }
    }

    /// <summary>
    /// Retention, in short batches that skip rows a request holds. PINs expired longer than
    /// <see cref="RetentionPolicy.PinAfterExpiry"/> lose their sealed value (and their messages
    /// their sealed body; a message still queued then is failed); PINs created before
    /// <see cref="RetentionPolicy.History"/> are deleted with their messages once they are sealed
    /// too, so a long-lived PIN is never deleted while it can still be verified. Limit events whose
    /// window has passed, leases of send limits that have ended, and delivery reports that never matched a message within
    /// <see cref="RetentionPolicy.PinAfterExpiry"/>, are deleted.
    /// </summary>
    public async Task<PruneCounts> PruneAsync(DateTimeOffset now, RetentionPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        DateTimeOffset sealBefore = now - policy.PinAfterExpiry;
        DateTimeOffset historyBefore = now - policy.History;

        int sealedPins = await RepeatAsync(
            """
            WITH batch AS (
                SELECT id FROM pins WHERE NOT pruned AND expires_at < @sealBefore
                LIMIT @batch FOR UPDATE SKIP LOCKED),
            sealed AS (
                UPDATE pins p SET pruned = true, pin_key_id = NULL, pin_data = NULL, placeholders_json = NULL
                FROM batch WHERE p.id = batch.id RETURNING p.id),
            bodies AS (
                UPDATE outbox_messages m SET body_key_id = NULL, body_data = NULL, lease_owner = NULL, lease_until = NULL,
                    state = CASE WHEN m.state = 'Queued' THEN 'Failed' ELSE m.state END,
                    error = CASE WHEN m.state = 'Queued' THEN 'not delivered before the PIN expired' ELSE m.error END,
                    updated_at = CASE WHEN m.state = 'Queued' THEN @now ELSE m.updated_at END
                FROM sealed WHERE m.pin_id = sealed.id RETURNING 1)
            SELECT count(*)::int, 0 FROM sealed
            """,
            c => c.Time("sealBefore", sealBefore).Time("now", now),
            cancellationToken);

        int deletedPins = 0;
        int deletedMessages = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (int pins, int messages) = await PruneBatchAsync(
                """
                WITH batch AS (
                    SELECT id FROM pins WHERE pruned AND created_at < @historyBefore
                    LIMIT @batch FOR UPDATE SKIP LOCKED),
                messages AS (
                    DELETE FROM outbox_messages m USING batch WHERE m.pin_id = batch.id RETURNING 1),
                gone AS (
                    DELETE FROM pins p USING batch WHERE p.id = batch.id RETURNING 1)
                SELECT (SELECT count(*)::int FROM gone), (SELECT count(*)::int FROM messages)
                """,
                c => c.Time("historyBefore", historyBefore),
                cancellationToken);
            deletedPins += pins;
            deletedMessages += messages;
            if (pins < PostgresStore.PruneBatchSize)
            {
                break;
            }
        }

        int limitEvents = await RepeatAsync(
            """
            WITH gone AS (
                DELETE FROM limit_events WHERE id IN (
                    SELECT id FROM limit_events WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*)::int, 0 FROM gone
            """,
            c => c.Time("now", now),
            cancellationToken);

        // Leases that have ended: their holders spend no more of them, so their unspent slots are
        // returned (a node that stopped without returning its own leaves them until their end).
        // Rows a send is spending from are skipped, and come back in a later prune.
        await RepeatAsync(
            """
            WITH gone AS (
                DELETE FROM limit_leases WHERE id IN (
                    SELECT id FROM limit_leases WHERE ends_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*)::int, 0 FROM gone
            """,
            c => c.Time("now", now),
            cancellationToken);

        await RepeatAsync(
            """
            WITH gone AS (
                DELETE FROM pending_receipts WHERE ctid IN (
                    SELECT ctid FROM pending_receipts WHERE reported_at < @sealBefore LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*)::int, 0 FROM gone
            """,
            c => c.Time("sealBefore", sealBefore),
            cancellationToken);

        await RepeatAsync(
            """
            WITH gone AS (
                DELETE FROM idempotency_keys WHERE ctid IN (
                    SELECT ctid FROM idempotency_keys WHERE completed AND expires_at < @now LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*)::int, 0 FROM gone
            """,
            c => c.Time("now", now),
            cancellationToken);

        await RepeatAsync(
            """
            WITH gone AS (
                DELETE FROM api_keys WHERE id IN (
                    SELECT id FROM api_keys WHERE name LIKE 'console:%' AND cardinality(scopes) = 0 AND expires_at < @before LIMIT @batch FOR UPDATE SKIP LOCKED)
                RETURNING 1)
            SELECT count(*)::int, 0 FROM gone
            """,
            c => c.Time("before", now - RetentionPolicy.EndedConsoleSessions),
            cancellationToken);

        return new PruneCounts(sealedPins, deletedPins, deletedMessages, limitEvents);
    }

    /// <summary>Runs a one-statement batch until it touches fewer rows than a full batch.</summary>
    private async Task<int> RepeatAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        int total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (int count, _) = await PruneBatchAsync(sql, parameters, cancellationToken);
            total += count;
            if (count < PostgresStore.PruneBatchSize)
            {
                return total;
            }
        }
    }

    private async Task<(int First, int Second)> PruneBatchAsync(string sql, Action<NpgsqlCommand> parameters, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        (int, int) counts;
        await using (NpgsqlCommand command = connection.Command(sql, transaction).Int("batch", PostgresStore.PruneBatchSize))
        {
            parameters(command);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            counts = (reader.GetInt32(0), reader.GetInt32(1));
        }

        await transaction.CommitAsync(cancellationToken);
        return counts;
    }
}
