using Npgsql;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresTwilioStore(PostgresStore store) : ITwilioStore
{
    private const string RateLimitColumns =
        "id, tenant_id, application_id, parent_id, unique_name, description, max, interval_seconds, created_at, updated_at";

    public async Task<string?> GetServiceSettingsAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> found = await store.QueryAsync(
            "SELECT settings FROM twilio_services WHERE application_id = @application AND tenant_id = @tenant",
            c => c.Text("application", applicationId).Text("tenant", tenantId), r => r.GetString(0), cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task SaveServiceSettingsAsync(string tenantId, string applicationId, string settingsJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.ExecuteAsync(
            """
            INSERT INTO twilio_services (application_id, tenant_id, settings, updated_at) VALUES (@application, @tenant, @settings, @now)
            ON CONFLICT (application_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at
            """,
            c => c.Text("application", applicationId).Text("tenant", tenantId).Text("settings", settingsJson).Time("now", now), cancellationToken);

    /// <remarks>
    /// <c>ON CONFLICT DO NOTHING</c> names no constraint, so it covers the partial unique index on
    /// a service's rate-limit names as well as the id; a racing create waits for the other to commit.
    /// </remarks>
    public async Task<bool> CreateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rateLimit);
        return await store.ExecuteAsync(
            $"""
            INSERT INTO twilio_rate_limits ({RateLimitColumns})
            VALUES (@id, @tenant, @application, @parent, @name, @description, @max, @interval, @created, @updated)
            ON CONFLICT DO NOTHING
            """,
            c => Bind(c, rateLimit), cancellationToken) == 1;
    }

    public Task<IReadOnlyList<TwilioRateLimit>> ListRateLimitsAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.QueryAsync(
            $"SELECT {RateLimitColumns} FROM twilio_rate_limits WHERE tenant_id = @tenant AND application_id = @application ORDER BY created_at, id",
            c => c.Text("tenant", tenantId).Text("application", applicationId), Read, cancellationToken);

    public async Task<bool> UpdateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rateLimit);
        return await store.ExecuteAsync(
            """
            UPDATE twilio_rate_limits SET description = @description, max = @max, interval_seconds = @interval, updated_at = @updated
            WHERE id = @id AND tenant_id = @tenant AND application_id = @application
            """,
            c => Bind(c, rateLimit), cancellationToken) == 1;
    }

    public async Task<bool> DeleteRateLimitAsync(string tenantId, string applicationId, string id, CancellationToken cancellationToken) =>
        await store.ExecuteAsync(
            "DELETE FROM twilio_rate_limits WHERE tenant_id = @tenant AND application_id = @application AND (id = @id OR parent_id = @id)",
            c => c.Text("tenant", tenantId).Text("application", applicationId).Text("id", id), cancellationToken) > 0;

    private static void Bind(NpgsqlCommand c, TwilioRateLimit r) =>
        c.Text("id", r.Id).Text("tenant", r.TenantId).Text("application", r.ApplicationId).Text("parent", r.ParentId).Text("name", r.UniqueName)
            .Text("description", r.Description).Int("max", r.Max).Int("interval", r.IntervalSeconds).Time("created", r.CreatedAt).Time("updated", r.UpdatedAt);

    private static TwilioRateLimit Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetStringOrNull(3), r.GetStringOrNull(4), r.GetStringOrNull(5),
        r.GetInt32(6), r.GetInt32(7), r.GetTime(8), r.GetTime(9));
}
