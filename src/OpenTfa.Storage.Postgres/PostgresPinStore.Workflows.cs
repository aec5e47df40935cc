using Npgsql;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

/// <summary>
/// Workflow steps live on the PIN's row, so the PIN store runs them. Claims skip rows another
/// node has locked; a step locks its PIN's row first and then the limit keys in ascending order,
/// as a resend does, so steps, resends and verifies of one PIN run one at a time on every node.
/// </summary>
internal sealed partial class PostgresPinStore : IWorkflowStore
{
    private const string NotPending =
        "(verified_at IS NOT NULL OR canceled_at IS NOT NULL OR consumed OR attempts_remaining <= 0 OR expires_at <= @now OR pruned)";

    public async Task<IReadOnlyList<DueStep>> ClaimDueStepsAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        await store.ExecuteAsync(
            $"""
            WITH ended AS (SELECT id FROM pins WHERE workflow_due <= @now AND {NotPending} LIMIT 1000 FOR UPDATE SKIP LOCKED)
            UPDATE pins p SET workflow_due = NULL FROM ended WHERE p.id = ended.id
            """,
            c => c.Time("now", now), cancellationToken);
        return await store.QueryAsync(
            """
            WITH due AS (SELECT id FROM pins WHERE workflow_due <= @now ORDER BY workflow_due LIMIT @max FOR UPDATE SKIP LOCKED)
            UPDATE pins p SET workflow_due = @until FROM due WHERE p.id = due.id
            RETURNING p.tenant_id, p.id, p.workflow_step
            """,
            c => c.Time("now", now).Int("max", max).Time("until", now + lease),
            r => new DueStep(r.GetString(0), r.GetString(1), r.GetInt32(2)), cancellationToken);
    }

    public async Task<WorkflowStepResult> RunWorkflowStepAsync(WorkflowStepOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        EnsureBelongs(operation.Message, operation.TenantId, operation.PinId);
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        PinRecord? pin = await LockPinAsync(connection, transaction, operation.TenantId, operation.PinId, cancellationToken);
        if (pin?.Workflow is not { } workflow || workflow.StepsRun != operation.StepIndex)
        {
            return new WorkflowStepResult.Stale();
        }

        if (!pin.IsPendingAt(operation.Now))
        {
            await using (NpgsqlCommand end = connection.Command("UPDATE pins SET workflow_due = NULL WHERE id = @id", transaction).Text("id", pin.Id))
            {
                await end.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new WorkflowStepResult.Stopped();
        }

        LimitRefusal? refusal = await PostgresLimits.AdmitAsync(connection, transaction, operation.Limits, operation.Now, cancellationToken);
        if (refusal is not null)
        {
            return new WorkflowStepResult.Limited(refusal);
        }

        await PostgresOutboxStore.EnqueueAsync(connection, transaction, operation.Message, operation.Now, cancellationToken);
        await using (NpgsqlCommand advance = connection.Command(
            """
            UPDATE pins SET sent = true, workflow_step = workflow_step + 1, workflow_due = @due, workflow_message = @message,
                pin_key_id = COALESCE(@keyId, pin_key_id), pin_data = COALESCE(@data, pin_data)
            WHERE id = @id
            """, transaction)
            .Text("id", pin.Id).Time("due", operation.NextDueAt).Text("message", operation.Message.Id)
            .Text("keyId", operation.NewPin?.KeyId).Bytes("data", operation.NewPin?.Data))
        {
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new WorkflowStepResult.Ran();
    }

    public async Task<bool> SkipWorkflowStepAsync(string tenantId, string pinId, int stepIndex, DateTimeOffset? nextDueAt, CancellationToken cancellationToken) =>
        await store.ExecuteAsync(
            "UPDATE pins SET workflow_step = workflow_step + 1, workflow_due = @due WHERE id = @id AND tenant_id = @tenant AND workflow_step = @step",
            c => c.Text("id", pinId).Text("tenant", tenantId).Int("step", stepIndex).Time("due", nextDueAt), cancellationToken) == 1;
}
