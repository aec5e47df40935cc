using Npgsql;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresProtectionStore(PostgresStore store) : IProtectionStore
{
    public async Task<string?> GetProtectionPolicyAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> found = await store.QueryAsync("SELECT policy FROM protection_policies WHERE tenant_id = @tenant AND scope = @scope",
            c => c.Text("tenant", tenantId).Text("scope", scope), r => r.GetString(0), cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task SetProtectionPolicyAsync(string tenantId, string scope, string policyJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            """
            INSERT INTO protection_policies (tenant_id, scope, policy, updated_at) VALUES (@tenant, @scope, @policy, @now)
            ON CONFLICT (tenant_id, scope) DO UPDATE SET policy = EXCLUDED.policy, updated_at = EXCLUDED.updated_at
            """,
            c => c.Text("tenant", tenantId).Text("scope", scope).Text("policy", policyJson).Time("now", now), cancellationToken);

    public Task RecordRuleEventAsync(RuleEvent ruleEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ruleEvent);
        return store.ExecuteAsync(
            "INSERT INTO rule_events (tenant_id, application_id, rule, mode, country, prefix, at) VALUES (@tenant, @app, @rule, @mode, @country, @prefix, @at)",
            c => c.Text("tenant", ruleEvent.TenantId).Text("app", ruleEvent.ApplicationId).Text("rule", ruleEvent.Rule).Text("mode", ruleEvent.Mode).Text("country", ruleEvent.Country)
                .Text("prefix", ruleEvent.Prefix).Time("at", ruleEvent.At), cancellationToken);
    }

    public Task<IReadOnlyList<RuleEvent>> ListRuleEventsAsync(string tenantId, string applicationId, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        store.QueryAsync(
            """
            SELECT id, tenant_id, application_id, rule, mode, country, prefix, at FROM rule_events
            WHERE tenant_id = @tenant AND application_id = @app AND at >= @since ORDER BY at DESC, id DESC LIMIT @limit
            """,
            c => c.Text("tenant", tenantId).Text("app", applicationId).Time("since", since).Int("limit", limit),
            r => new RuleEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetTime(7)),
            cancellationToken);

    public async Task<GuardBlock?> GetGuardBlockAsync(string tenantId, string applicationId, string prefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<GuardBlock> found = await store.QueryAsync(
            "SELECT tenant_id, application_id, prefix, since, until, reason FROM guard_blocks WHERE tenant_id = @tenant AND application_id = @app AND prefix = @prefix AND until > @now",
            c => c.Text("tenant", tenantId).Text("app", applicationId).Text("prefix", prefix).Time("now", now), ReadBlock, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task SetGuardBlockAsync(GuardBlock block, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(block);
        return store.ExecuteAsync(
            """
            INSERT INTO guard_blocks (tenant_id, application_id, prefix, since, until, reason) VALUES (@tenant, @app, @prefix, @since, @until, @reason)
            ON CONFLICT (tenant_id, application_id, prefix) DO UPDATE SET since = EXCLUDED.since, until = EXCLUDED.until, reason = EXCLUDED.reason
            """,
            c => c.Text("tenant", block.TenantId).Text("app", block.ApplicationId).Text("prefix", block.Prefix).Time("since", block.Since)
                .Time("until", block.Until).Text("reason", block.Reason), cancellationToken);
    }

    public Task<IReadOnlyList<GuardBlock>> ListGuardBlocksAsync(string tenantId, string applicationId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.QueryAsync(
            "SELECT tenant_id, application_id, prefix, since, until, reason FROM guard_blocks WHERE tenant_id = @tenant AND application_id = @app AND until > @now ORDER BY since DESC",
            c => c.Text("tenant", tenantId).Text("app", applicationId).Time("now", now), ReadBlock, cancellationToken);

    public async Task<int> GetVerifyFailuresAsync(string applicationId, string destination, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        return await VerifyFailuresAsync(connection, null, applicationId, destination, cancellationToken);
    }

    /// <summary>A destination's consecutive failed verifications, alone or inside a verify's transaction.</summary>
    internal static async Task<int> VerifyFailuresAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string applicationId, string destination, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand read = connection.Command("SELECT failures FROM verify_failures WHERE application_id = @app AND destination = @dest", transaction)
            .Text("app", applicationId).Text("dest", destination);
        return await read.ExecuteScalarAsync(cancellationToken) is int found ? found : 0;
    }

    public Task<IReadOnlyList<VerifyFailures>> ListVerifyFailuresAsync(string tenantId, string applicationId, int atLeast, CancellationToken cancellationToken) =>
        store.QueryAsync(
            """
            SELECT destination, failures, last_failure_at FROM verify_failures
            WHERE tenant_id = @tenant AND application_id = @app AND failures >= @least ORDER BY failures DESC, last_failure_at DESC
            """,
            c => c.Text("tenant", tenantId).Text("app", applicationId).Int("least", atLeast),
            r => new VerifyFailures(r.GetString(0), r.GetInt32(1), r.GetTime(2)), cancellationToken);

    public async Task<bool> ClearVerifyFailuresAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken) =>
        await store.ExecuteAsync("DELETE FROM verify_failures WHERE tenant_id = @tenant AND application_id = @app AND destination = @dest",
            c => c.Text("tenant", tenantId).Text("app", applicationId).Text("dest", destination), cancellationToken) > 0;

    public async Task<PrefixStats> GetPrefixStatsAsync(string tenantId, string applicationId, string prefix, DateTimeOffset recentSince, DateTimeOffset baselineSince, CancellationToken cancellationToken)
    {
        IReadOnlyList<PrefixStats> rows = await store.QueryAsync(
            """
            SELECT count(*) FILTER (WHERE created_at >= @recent)::int,
                   count(*) FILTER (WHERE created_at >= @recent AND left(destination, @len) = @prefix)::int,
                   count(*) FILTER (WHERE created_at >= @recent AND left(destination, @len) = @prefix AND verified_at IS NOT NULL)::int,
                   count(*) FILTER (WHERE created_at < @recent)::int,
                   count(*) FILTER (WHERE created_at < @recent AND left(destination, @len) = @prefix)::int
            FROM pins WHERE application_id = @app AND tenant_id = @tenant AND created_at >= @baseline AND kind <> 'Email'
            """,
            c => c.Text("tenant", tenantId).Text("app", applicationId).Text("prefix", prefix).Int("len", prefix.Length)
                .Time("recent", recentSince).Time("baseline", baselineSince),
            r => new PrefixStats(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)), cancellationToken);
        return rows[0];
    }

    public async Task<int> CountLimitEventsAsync(string key, DateTimeOffset since, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> rows = await store.QueryAsync("SELECT count(*)::int FROM limit_events WHERE key = @key AND at > @since",
            c => c.Text("key", key).Time("since", since), r => r.GetInt32(0), cancellationToken);
        return rows[0];
    }

    private static GuardBlock ReadBlock(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetTime(3), r.GetTime(4), r.GetString(5));
}
