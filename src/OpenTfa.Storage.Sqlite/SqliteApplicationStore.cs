using Microsoft.Data.Sqlite;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Workflows;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteApplicationStore(SqliteStore store) : IApplicationStore
{
    private const string ApplicationColumns =
        "id, tenant_id, name, enabled, allow_multiple, pin_attempts, pin_ttl, send_app_limit, send_phone_limit, verify_limit, created_at, updated_at";

    /// <summary>What a read selects: the written columns and the workflow, which has a setter of its own.</summary>
    private const string ReadColumns = ApplicationColumns + ", workflow";

    private const string TemplateColumns =
        "id, tenant_id, application_id, kind, pin_type, pin_length, message_text, language, sender_id, repeat_dtmf, speech_rate, voice_name, regional, email_template_id, from_address, landing_page_id, created_at, updated_at";

    public Task CreateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            $"INSERT INTO applications({ApplicationColumns}) VALUES ($id, $tenant, $name, $enabled, $multi, $attempts, $ttl, $app, $phone, $verify, $created, $updated)",
            cancellationToken, ApplicationParameters(application)), cancellationToken);

    public Task<Application?> GetApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.CachedReadAsync(("application", tenantId, applicationId, string.Empty), async c => (await QueryAsync(c, null, $"SELECT {ReadColumns} FROM applications WHERE id = $id AND tenant_id = $tenant",
            ReadApplication, cancellationToken, ("$id", applicationId), ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<Application>> ListApplicationsAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<Application>>(async c => await QueryAsync(c, null,
            $"SELECT {ReadColumns} FROM applications WHERE tenant_id = $tenant ORDER BY created_at, id", ReadApplication, cancellationToken, ("$tenant", tenantId)), cancellationToken);

    public Task<bool> UpdateApplicationAsync(Application application, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t,
            """
            UPDATE applications SET name = $name, enabled = $enabled, allow_multiple = $multi, pin_attempts = $attempts, pin_ttl = $ttl,
                send_app_limit = $app, send_phone_limit = $phone, verify_limit = $verify, updated_at = $updated
            WHERE id = $id AND tenant_id = $tenant
            """, cancellationToken, ApplicationParameters(application)) == 1, cancellationToken);

    public Task<bool> SetWorkflowAsync(string tenantId, string applicationId, Workflow? workflow, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t,
            "UPDATE applications SET workflow = $workflow, updated_at = $now WHERE id = $id AND tenant_id = $tenant",
            cancellationToken, ("$id", applicationId), ("$tenant", tenantId), ("$workflow", workflow?.ToJson()), ("$now", Ms(now))) == 1, cancellationToken);

    public Task<bool> DeleteApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            if (await ExecuteAsync(c, t, "DELETE FROM applications WHERE id = $id AND tenant_id = $tenant", cancellationToken, ("$id", applicationId), ("$tenant", tenantId)) == 0)
            {
                return false;
            }

            await ExecuteAsync(c, t, "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE application_id = $id)",
                cancellationToken, ("$id", applicationId));
            foreach (string table in (string[])["templates", "webhook_deliveries", "webhooks", "twilio_services", "twilio_rate_limits"])
            {
                await ExecuteAsync(c, t, $"DELETE FROM {table} WHERE application_id = $id", cancellationToken, ("$id", applicationId));
            }

            return true;
        }, cancellationToken);

    public Task CreateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken) =>
        store.WriteAsync((c, t) => ExecuteAsync(c, t,
            $"INSERT INTO templates({TemplateColumns}) VALUES ($id, $tenant, $app, $kind, $type, $length, $text, $language, $sender, $dtmf, $rate, $voice, $regional, $email, $from, $landing, $created, $updated)",
            cancellationToken, TemplateParameters(template)), cancellationToken);

    public Task<MessageTemplate?> GetTemplateAsync(string tenantId, string applicationId, string templateId, CancellationToken cancellationToken) =>
        store.CachedReadAsync(("template", tenantId, applicationId, templateId), async c => (await QueryAsync(c, null, $"SELECT {TemplateColumns} FROM templates WHERE id = $id AND tenant_id = $tenant AND application_id = $app",
            ReadTemplate, cancellationToken, ("$id", templateId), ("$tenant", tenantId), ("$app", applicationId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<MessageTemplate>> ListTemplatesAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<MessageTemplate>>(async c => await QueryAsync(c, null,
            $"SELECT {TemplateColumns} FROM templates WHERE tenant_id = $tenant AND application_id = $app ORDER BY created_at, id",
            ReadTemplate, cancellationToken, ("$tenant", tenantId), ("$app", applicationId)), cancellationToken);

    public Task<bool> UpdateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t,
            """
            UPDATE templates SET pin_type = $type, pin_length = $length, message_text = $text, language = $language, sender_id = $sender,
                repeat_dtmf = $dtmf, speech_rate = $rate, voice_name = $voice, regional = $regional, email_template_id = $email,
                from_address = $from, landing_page_id = $landing, updated_at = $updated
            WHERE id = $id AND tenant_id = $tenant AND application_id = $app AND kind = $kind
            """, cancellationToken, TemplateParameters(template)) == 1, cancellationToken);

    private static (string, object?)[] ApplicationParameters(Application a) =>
    [
        ("$id", a.Id), ("$tenant", a.TenantId), ("$name", a.Name), ("$enabled", a.Enabled), ("$multi", a.Settings.AllowMultiplePinVerifications),
        ("$attempts", a.Settings.PinAttempts), ("$ttl", a.Settings.PinTimeToLive), ("$app", a.Settings.SendPinPerApplicationLimit),
        ("$phone", a.Settings.SendPinPerPhoneNumberLimit), ("$verify", a.Settings.VerifyPinLimit), ("$created", Ms(a.CreatedAt)), ("$updated", Ms(a.UpdatedAt)),
    ];

    private static Application ReadApplication(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3),
        new ApplicationSettings(r.GetBoolean(4), r.GetInt32(5), r.GetString(6), r.GetString(7), r.GetString(8), r.GetString(9)),
        Time(r, 10), Time(r, 11), Workflow.FromJson(OptionalString(r, 12)));

    private static (string, object?)[] TemplateParameters(MessageTemplate m) =>
    [
        ("$id", m.Id), ("$tenant", m.TenantId), ("$app", m.ApplicationId), ("$kind", (int)m.Kind), ("$type", (int)m.PinType), ("$length", m.PinLength),
        ("$text", m.MessageText), ("$language", m.Language), ("$sender", m.SenderId), ("$dtmf", m.RepeatDtmf), ("$rate", m.SpeechRate),
        ("$voice", m.VoiceName), ("$regional", m.RegionalJson), ("$email", m.EmailTemplateId), ("$from", m.From), ("$landing", m.LandingPageId),
        ("$created", Ms(m.CreatedAt)), ("$updated", Ms(m.UpdatedAt)),
    ];

    private static MessageTemplate ReadTemplate(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), (TemplateKind)r.GetInt32(3), (PinType)r.GetInt32(4), r.GetInt32(5),
        OptionalString(r, 6), OptionalString(r, 7), OptionalString(r, 8), OptionalString(r, 9), r.IsDBNull(10) ? null : r.GetDouble(10),
        OptionalString(r, 11), OptionalString(r, 12), r.IsDBNull(13) ? null : r.GetInt64(13), OptionalString(r, 14), OptionalString(r, 15),
        Time(r, 16), Time(r, 17));
}
