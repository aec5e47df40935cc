using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

/// <summary>Workflow steps live on the PIN's row, so the PIN store runs them; each method is one write transaction.</summary>
internal sealed partial class SqlitePinStore : IWorkflowStore
{
    private const string NotPending =
        "(verified_at IS NOT NULL OR canceled_at IS NOT NULL OR consumed = 1 OR attempts_remaining <= 0 OR expires_at <= $now OR pin_data IS NULL)";

    public async Task<IReadOnlyList<DueStep>> ClaimDueStepsAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        // Every node polls every second: an idle poll reads, and leaves the single writer alone.
        bool anyDue = (await store.ReadAsync(c => QueryAsync(c, null, "SELECT 1 FROM pins WHERE workflow_due <= $now LIMIT 1", r => true, cancellationToken,
            ("$now", Ms(now))), cancellationToken)).Count > 0;
        return anyDue ? await ClaimAsync(now, lease, max, cancellationToken) : [];
    }

    private Task<IReadOnlyList<DueStep>> ClaimAsync(DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<DueStep>>(async (c, t) =>
        {
            await ExecuteAsync(c, t, $"UPDATE pins SET workflow_due = NULL WHERE workflow_due <= $now AND {NotPending}", cancellationToken, ("$now", Ms(now)));
            List<DueStep> due = await QueryAsync(c, t,
                "SELECT tenant_id, id, workflow_step FROM pins WHERE workflow_due <= $now ORDER BY workflow_due LIMIT $max",
                r => new DueStep(r.GetString(0), r.GetString(1), r.GetInt32(2)), cancellationToken, ("$now", Ms(now)), ("$max", max));
            foreach (DueStep step in due)
            {
                await ExecuteAsync(c, t, "UPDATE pins SET workflow_due = $until WHERE id = $id", cancellationToken, ("$id", step.PinId), ("$until", Ms(now + lease)));
            }

            return due;
        }, cancellationToken);

    public Task<WorkflowStepResult> RunWorkflowStepAsync(WorkflowStepOperation operation, CancellationToken cancellationToken) =>
        store.WriteAsync<WorkflowStepResult>(async (c, t) =>
        {
            PinRecord? pin = (await QueryAsync(c, t, $"SELECT {PinColumns} FROM pins WHERE id = $id AND tenant_id = $tenant AND pin_data IS NOT NULL",
                ReadPin, cancellationToken, ("$id", operation.PinId), ("$tenant", operation.TenantId))).FirstOrDefault();
            if (pin?.Workflow is not { } workflow || workflow.StepsRun != operation.StepIndex)
            {
                return new WorkflowStepResult.Stale();
            }

            if (!pin.IsPendingAt(operation.Now))
            {
                await ExecuteAsync(c, t, "UPDATE pins SET workflow_due = NULL WHERE id = $id", cancellationToken, ("$id", pin.Id));
                return new WorkflowStepResult.Stopped();
            }

            LimitRefusal? limited = await CountLimitsAsync(c, t, operation.Limits, operation.Now, cancellationToken);
            if (limited is not null)
            {
                return new WorkflowStepResult.Limited(limited);
            }

            await SqliteOutboxStore.EnqueueAsync(c, t, operation.Message, cancellationToken);
            await ExecuteAsync(c, t,
                """
                UPDATE pins SET sent = 1, workflow_step = workflow_step + 1, workflow_due = $due, workflow_message = $message,
                    pin_key = COALESCE($key, pin_key), pin_data = COALESCE($data, pin_data)
                WHERE id = $id
                """, cancellationToken, ("$id", pin.Id), ("$due", Ms(operation.NextDueAt)), ("$message", operation.Message.Id),
                ("$key", operation.NewPin?.KeyId), ("$data", operation.NewPin?.Data));
            return new WorkflowStepResult.Ran();
        }, cancellationToken);

    public Task<bool> SkipWorkflowStepAsync(string tenantId, string pinId, int stepIndex, DateTimeOffset? nextDueAt, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t,
            "UPDATE pins SET workflow_step = workflow_step + 1, workflow_due = $due WHERE id = $id AND tenant_id = $tenant AND workflow_step = $step",
            cancellationToken, ("$id", pinId), ("$tenant", tenantId), ("$step", stepIndex), ("$due", Ms(nextDueAt))) == 1, cancellationToken);
}
