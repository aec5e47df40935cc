using Microsoft.Data.Sqlite;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteProtectionStore(SqliteStore store) : IProtectionStore
{
    public Task<string?> GetProtectionPolicyAsync(string tenantId, string scope, CancellationToken cancellationToken) =>
        store.CachedReadAsync(("protection_policy", tenantId, scope, string.Empty), async c => (await QueryAsync(c, null, "SELECT policy FROM protection_policies WHERE tenant_id = $tenant AND scope = $scope",
            r => r.GetString(0), cancellationToken, ("$tenant", tenantId), ("$scope", scope))).FirstOrDefault(), cancellationToken);

    public Task SetProtectionPolicyAsync(string tenantId, string scope, string policyJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "INSERT OR REPLACE INTO protection_policies(tenant_id, scope, policy, updated_at) VALUES ($tenant, $scope, $policy, $now)",
            cancellationToken, ("$tenant", tenantId), ("$scope", scope), ("$policy", policyJson), ("$now", Ms(now))), cancellationToken);

    public Task RecordRuleEventAsync(RuleEvent ruleEvent, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "INSERT INTO rule_events(tenant_id, application_id, rule, mode, country, prefix, at) VALUES ($tenant, $app, $rule, $mode, $country, $prefix, $at)",
            cancellationToken, ("$tenant", ruleEvent.TenantId), ("$app", ruleEvent.ApplicationId), ("$rule", ruleEvent.Rule), ("$mode", ruleEvent.Mode), ("$country", ruleEvent.Country),
            ("$prefix", ruleEvent.Prefix), ("$at", Ms(ruleEvent.At))), cancellationToken);

    public Task<IReadOnlyList<RuleEvent>> ListRuleEventsAsync(string tenantId, string applicationId, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<RuleEvent>>(async c => await QueryAsync(c, null,
            """
            SELECT id, tenant_id, application_id, rule, mode, country, prefix, at FROM rule_events
            WHERE tenant_id = $tenant AND application_id = $app AND at >= $since ORDER BY at DESC, id DESC LIMIT $limit
            """,
            r => new RuleEvent(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), Time(r, 7)),
            cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$since", Ms(since)), ("$limit", limit)), cancellationToken);

    public async Task<GuardBlock?> GetGuardBlockAsync(string tenantId, string applicationId, string prefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The prefix's block row, held whether or not it is still in force; the time decides on each read.
        GuardBlock? block = await store.CachedReadAsync(("guard_block", tenantId, applicationId, prefix), async c => (await QueryAsync(c, null,
            "SELECT tenant_id, application_id, prefix, since, until, reason FROM guard_blocks WHERE tenant_id = $tenant AND application_id = $app AND prefix = $prefix",
            ReadBlock, cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$prefix", prefix))).FirstOrDefault(), cancellationToken);
        return block is not null && block.Until > now ? block : null;
    }

    public Task SetGuardBlockAsync(GuardBlock block, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "INSERT OR REPLACE INTO guard_blocks(tenant_id, application_id, prefix, since, until, reason) VALUES ($tenant, $app, $prefix, $since, $until, $reason)",
            cancellationToken, ("$tenant", block.TenantId), ("$app", block.ApplicationId), ("$prefix", block.Prefix), ("$since", Ms(block.Since)),
            ("$until", Ms(block.Until)), ("$reason", block.Reason)), cancellationToken);

    public Task<IReadOnlyList<GuardBlock>> ListGuardBlocksAsync(string tenantId, string applicationId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<GuardBlock>>(async c => await QueryAsync(c, null,
            "SELECT tenant_id, application_id, prefix, since, until, reason FROM guard_blocks WHERE tenant_id = $tenant AND application_id = $app AND until > $now ORDER BY since DESC",
            ReadBlock, cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$now", Ms(now))), cancellationToken);

    public Task<PrefixStats> GetPrefixStatsAsync(string tenantId, string applicationId, string prefix, DateTimeOffset recentSince, DateTimeOffset baselineSince, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null,
            """
            SELECT COALESCE(SUM(created_at >= $recent), 0),
                   COALESCE(SUM(created_at >= $recent AND substr(destination, 1, $len) = $prefix), 0),
                   COALESCE(SUM(created_at >= $recent AND substr(destination, 1, $len) = $prefix AND verified_at IS NOT NULL), 0),
                   COALESCE(SUM(created_at < $recent), 0),
                   COALESCE(SUM(created_at < $recent AND substr(destination, 1, $len) = $prefix), 0)
            FROM pins WHERE application_id = $app AND tenant_id = $tenant AND created_at >= $baseline AND kind <> $email
            """,
            r => new PrefixStats(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4)), cancellationToken,
            ("$tenant", tenantId), ("$app", applicationId), ("$prefix", prefix), ("$len", prefix.Length), ("$recent", Ms(recentSince)),
            ("$baseline", Ms(baselineSince)), ("$email", (int)ChannelKind.Email))).Single(), cancellationToken);

    public Task<int> CountLimitEventsAsync(string key, DateTimeOffset since, CancellationToken cancellationToken) =>
        store.ReadAsync(async c =>
        {
            await using SqliteCommand count = Command(c, null, "SELECT COUNT(*) FROM limit_events WHERE key = $key AND at > $since", ("$key", key), ("$since", Ms(since)));
            return (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public Task<int> GetVerifyFailuresAsync(string applicationId, string destination, CancellationToken cancellationToken) =>
        store.ReadAsync(c => VerifyFailuresAsync(c, null, applicationId, destination, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<VerifyFailures>> ListVerifyFailuresAsync(string tenantId, string applicationId, int atLeast, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<VerifyFailures>>(async c => await QueryAsync(c, null,
            """
            SELECT destination, failures, last_failure_at FROM verify_failures
            WHERE tenant_id = $tenant AND application_id = $app AND failures >= $least ORDER BY failures DESC, last_failure_at DESC
            """,
            r => new VerifyFailures(r.GetString(0), r.GetInt32(1), Time(r, 2)), cancellationToken,
            ("$tenant", tenantId), ("$app", applicationId), ("$least", atLeast)), cancellationToken);

    public Task<bool> ClearVerifyFailuresAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t, "DELETE FROM verify_failures WHERE tenant_id = $tenant AND application_id = $app AND destination = $dest",
            cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$dest", destination)) > 0, cancellationToken);

    /// <summary>A destination's consecutive failed verifications, on a reader or inside the writer's transaction.</summary>
    internal static async Task<int> VerifyFailuresAsync(SqliteConnection c, SqliteTransaction? t, string applicationId, string destination, CancellationToken cancellationToken)
    {
        await using SqliteCommand read = Command(c, t, "SELECT failures FROM verify_failures WHERE application_id = $app AND destination = $dest",
            ("$app", applicationId), ("$dest", destination));
        return (int)((long?)await read.ExecuteScalarAsync(cancellationToken) ?? 0);
    }

    private static GuardBlock ReadBlock(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3), Time(r, 4), r.GetString(5));
}
