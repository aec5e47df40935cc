using Npgsql;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Workflows;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresApplicationStore(PostgresStore store) : IApplicationStore
{
    private const string ApplicationColumns =
        "id, tenant_id, name, enabled, allow_multiple_verifications, pin_attempts, pin_time_to_live, " +
        "send_per_application_limit, send_per_phone_number_limit, verify_pin_limit, created_at, updated_at";

    private const string TemplateColumns =
        "id, tenant_id, application_id, kind, pin_type, pin_length, message_text, language, sender_id, repeat_dtmf, " +
        "speech_rate, voice_name, regional_json, email_template_id, email_from, landing_page_id, created_at, updated_at";

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        return store.ExecuteAsync(
            $"""
            INSERT INTO applications ({ApplicationColumns})
            VALUES (@id, @tenant, @name, @enabled, @multiple, @attempts, @ttl, @perApp, @perPhone, @verify, @created, @updated)
            """,
            c => BindApplication(c, application), cancellationToken);
    }

    public async Task<Application?> GetApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        IReadOnlyList<Application> found = await store.QueryAsync(
            $"SELECT {ApplicationColumns}, workflow FROM applications WHERE id = @id AND tenant_id = @tenant",
            c => c.Text("id", applicationId).Text("tenant", tenantId), ReadApplication, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<Application>> ListApplicationsAsync(string tenantId, CancellationToken cancellationToken) =>
        store.QueryAsync(
            $"SELECT {ApplicationColumns}, workflow FROM applications WHERE tenant_id = @tenant ORDER BY created_at, id",
            c => c.Text("tenant", tenantId), ReadApplication, cancellationToken);

    public async Task<bool> UpdateApplicationAsync(Application application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        return await store.ExecuteAsync(
            """
            UPDATE applications SET name = @name, enabled = @enabled, allow_multiple_verifications = @multiple,
                pin_attempts = @attempts, pin_time_to_live = @ttl, send_per_application_limit = @perApp,
                send_per_phone_number_limit = @perPhone, verify_pin_limit = @verify, updated_at = @updated
            WHERE id = @id AND tenant_id = @tenant
            """,
            c => BindApplication(c, application), cancellationToken) == 1;
    }

    public async Task<bool> SetWorkflowAsync(string tenantId, string applicationId, Workflow? workflow, DateTimeOffset now, CancellationToken cancellationToken) =>
        await store.ExecuteAsync(
            "UPDATE applications SET workflow = @workflow, updated_at = @now WHERE id = @id AND tenant_id = @tenant",
            c => c.Text("id", applicationId).Text("tenant", tenantId).Text("workflow", workflow?.ToJson()).Time("now", now), cancellationToken) == 1;

    public async Task<bool> DeleteApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await store.OpenAsync(cancellationToken);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (NpgsqlCommand delete = connection.Command("DELETE FROM applications WHERE id = @id AND tenant_id = @tenant", transaction)
            .Text("id", applicationId).Text("tenant", tenantId))
        {
            if (await delete.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }
        }

        await using (NpgsqlCommand attempts = connection.Command(
            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE application_id = @id AND tenant_id = @tenant)", transaction)
            .Text("id", applicationId).Text("tenant", tenantId))
        {
            await attempts.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (string table in (string[])["templates", "webhook_deliveries", "webhooks", "twilio_services", "twilio_rate_limits"])
        {
            await using NpgsqlCommand rest = connection.Command($"DELETE FROM {table} WHERE application_id = @id AND tenant_id = @tenant", transaction)
                .Text("id", applicationId).Text("tenant", tenantId);
            await rest.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public Task CreateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        return store.ExecuteAsync(
            $"""
            INSERT INTO templates ({TemplateColumns})
            VALUES (@id, @tenant, @application, @kind, @pinType, @pinLength, @text, @language, @senderId, @dtmf,
                @rate, @voice, @regional, @emailTemplate, @from, @landing, @created, @updated)
            """,
            c => BindTemplate(c, template), cancellationToken);
    }

    public async Task<MessageTemplate?> GetTemplateAsync(string tenantId, string applicationId, string templateId, CancellationToken cancellationToken)
    {
        IReadOnlyList<MessageTemplate> found = await store.QueryAsync(
            $"SELECT {TemplateColumns} FROM templates WHERE id = @id AND tenant_id = @tenant AND application_id = @application",
            c => c.Text("id", templateId).Text("tenant", tenantId).Text("application", applicationId), ReadTemplate, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<MessageTemplate>> ListTemplatesAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.QueryAsync(
            $"SELECT {TemplateColumns} FROM templates WHERE tenant_id = @tenant AND application_id = @application ORDER BY created_at, id",
            c => c.Text("tenant", tenantId).Text("application", applicationId), ReadTemplate, cancellationToken);

    public async Task<bool> UpdateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        return await store.ExecuteAsync(
            """
            UPDATE templates SET kind = @kind, pin_type = @pinType, pin_length = @pinLength, message_text = @text,
                language = @language, sender_id = @senderId, repeat_dtmf = @dtmf, speech_rate = @rate, voice_name = @voice,
                regional_json = @regional, email_template_id = @emailTemplate, email_from = @from,
                landing_page_id = @landing, updated_at = @updated
            WHERE id = @id AND tenant_id = @tenant AND application_id = @application
            """,
            c => BindTemplate(c, template), cancellationToken) == 1;
    }

    private static void BindApplication(NpgsqlCommand c, Application a) =>
        c.Text("id", a.Id).Text("tenant", a.TenantId).Text("name", a.Name).Bool("enabled", a.Enabled)
            .Bool("multiple", a.Settings.AllowMultiplePinVerifications).Int("attempts", a.Settings.PinAttempts)
            .Text("ttl", a.Settings.PinTimeToLive).Text("perApp", a.Settings.SendPinPerApplicationLimit)
            .Text("perPhone", a.Settings.SendPinPerPhoneNumberLimit).Text("verify", a.Settings.VerifyPinLimit)
            .Time("created", a.CreatedAt).Time("updated", a.UpdatedAt);

    private static void BindTemplate(NpgsqlCommand c, MessageTemplate t) =>
        c.Text("id", t.Id).Text("tenant", t.TenantId).Text("application", t.ApplicationId).Text("kind", Sql.Name(t.Kind))
            .Text("pinType", Sql.Name(t.PinType)).Int("pinLength", t.PinLength).Text("text", t.MessageText).Text("language", t.Language)
            .Text("senderId", t.SenderId).Text("dtmf", t.RepeatDtmf).Double("rate", t.SpeechRate).Text("voice", t.VoiceName)
            .Text("regional", t.RegionalJson).Long("emailTemplate", t.EmailTemplateId).Text("from", t.From).Text("landing", t.LandingPageId)
            .Time("created", t.CreatedAt).Time("updated", t.UpdatedAt);

    private static Application ReadApplication(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3),
        new ApplicationSettings(r.GetBoolean(4), r.GetInt32(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9)),
        r.GetTime(10), r.GetTime(11), Workflow.FromJson(r.GetStringOrNull(12)));

    private static MessageTemplate ReadTemplate(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetEnum<TemplateKind>(3), r.GetEnum<PinType>(4), r.GetInt32(5),
        r.GetStringOrNull(6), r.GetStringOrNull(7), r.GetStringOrNull(8), r.GetStringOrNull(9),
        r.IsDBNull(10) ? null : r.GetDouble(10), r.GetStringOrNull(11), r.GetStringOrNull(12),
        r.IsDBNull(13) ? null : r.GetInt64(13), r.GetStringOrNull(14), r.GetStringOrNull(15), r.GetTime(16), r.GetTime(17));
}
