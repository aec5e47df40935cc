using Microsoft.Data.Sqlite;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Twilio;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteTwilioStore(SqliteStore store) : ITwilioStore
{
    private const string RateLimitColumns = "id, tenant_id, application_id, parent_id, unique_name, description, max, interval_seconds, created_at, updated_at";

    public Task<string?> GetServiceSettingsAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.ReadAsync(async c => (await QueryAsync(c, null, "SELECT settings FROM twilio_services WHERE application_id = $app AND tenant_id = $tenant",
            r => r.GetString(0), cancellationToken, ("$app", applicationId), ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task SaveServiceSettingsAsync(string tenantId, string applicationId, string settingsJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            """
            INSERT INTO twilio_services(application_id, tenant_id, settings, updated_at) VALUES ($app, $tenant, $settings, $now)
            ON CONFLICT (application_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
            """, cancellationToken, ("$app", applicationId), ("$tenant", tenantId), ("$settings", settingsJson), ("$now", Ms(now))), cancellationToken);

    public async Task<bool> CreateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken) =>
        await store.WriteAsync((c, t) => ExecuteAsync(c, t,
            $"INSERT INTO twilio_rate_limits({RateLimitColumns}) VALUES ($id, $tenant, $app, $parent, $name, $description, $max, $interval, $created, $updated) ON CONFLICT DO NOTHING",
            cancellationToken, Parameters(rateLimit)), cancellationToken) == 1;

    public Task<IReadOnlyList<TwilioRateLimit>> ListRateLimitsAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<TwilioRateLimit>>(async c => await QueryAsync(c, null,
            $"SELECT {RateLimitColumns} FROM twilio_rate_limits WHERE tenant_id = $tenant AND application_id = $app ORDER BY created_at, rowid",
            Read, cancellationToken, ("$tenant", tenantId), ("$app", applicationId)), cancellationToken);

    public async Task<bool> UpdateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken) =>
        await store.WriteAsync((c, t) => ExecuteAsync(c, t,
            """
            UPDATE twilio_rate_limits SET description = $description, max = $max, interval_seconds = $interval, updated_at = $updated
            WHERE id = $id AND tenant_id = $tenant AND application_id = $app
            """, cancellationToken, Parameters(rateLimit)), cancellationToken) == 1;

    public async Task<bool> DeleteRateLimitAsync(string tenantId, string applicationId, string id, CancellationToken cancellationToken) =>
        await store.WriteAsync((c, t) => ExecuteAsync(c, t,
            "DELETE FROM twilio_rate_limits WHERE tenant_id = $tenant AND application_id = $app AND (id = $id OR parent_id = $id)",
            cancellationToken, ("$tenant", tenantId), ("$app", applicationId), ("$id", id)), cancellationToken) > 0;

    private static (string, object?)[] Parameters(TwilioRateLimit r) =>
    [
        ("$id", r.Id), ("$tenant", r.TenantId), ("$app", r.ApplicationId), ("$parent", r.ParentId), ("$name", r.UniqueName), ("$description", r.Description),
        ("$max", r.Max), ("$interval", r.IntervalSeconds), ("$created", Ms(r.CreatedAt)), ("$updated", Ms(r.UpdatedAt)),
    ];

    private static TwilioRateLimit Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), OptionalString(r, 3), OptionalString(r, 4), OptionalString(r, 5),
        r.GetInt32(6), r.GetInt32(7), Time(r, 8), Time(r, 9));
}
