using Microsoft.Data.Sqlite;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;
using static OpenTfa.Storage.Sqlite.SqliteSql;

namespace OpenTfa.Storage.Sqlite;

internal sealed class SqliteEmailBodyStore(SqliteStore store) : IEmailBodyStore
{
    private const string EmailBodyColumns = "id, tenant_id, name, subject, text, html, created_at, updated_at";

    public Task<EmailBody> CreateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) =>
        {
            // A random id; another draw in the rare case that it is taken.
            while (true)
            {
                long id = Ids.NewNumeric();
                await using SqliteCommand insert = Command(c, t,
                    "INSERT INTO email_bodies(id, tenant_id, name, subject, text, html, created_at, updated_at) VALUES ($id, $tenant, $name, $subject, $text, $html, $created, $updated) ON CONFLICT (id) DO NOTHING",
                    ("$id", id), ("$tenant", body.TenantId), ("$name", body.Name), ("$subject", body.Subject), ("$text", body.Text), ("$html", body.Html),
                    ("$created", Ms(body.CreatedAt)), ("$updated", Ms(body.UpdatedAt)));
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return body with { Id = id };
                }
            }
        }, cancellationToken);

    public Task<EmailBody?> GetEmailBodyAsync(string tenantId, long id, CancellationToken cancellationToken) =>
        store.CachedReadAsync(("email_body", tenantId, id.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Empty), async c => (await QueryAsync(c, null, $"SELECT {EmailBodyColumns} FROM email_bodies WHERE id = $id AND tenant_id = $tenant",
            ReadEmailBody, cancellationToken, ("$id", id), ("$tenant", tenantId))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<EmailBody>> ListEmailBodiesAsync(string tenantId, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<EmailBody>>(async c => await QueryAsync(c, null, $"SELECT {EmailBodyColumns} FROM email_bodies WHERE tenant_id = $tenant ORDER BY created_at, id",
            ReadEmailBody, cancellationToken, ("$tenant", tenantId)), cancellationToken);

    public Task<bool> UpdateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken) =>
        store.WriteAsync(async (c, t) => await ExecuteAsync(c, t,
            "UPDATE email_bodies SET name = $name, subject = $subject, text = $text, html = $html, updated_at = $updated WHERE id = $id AND tenant_id = $tenant",
            cancellationToken, ("$id", body.Id), ("$tenant", body.TenantId), ("$name", body.Name), ("$subject", body.Subject), ("$text", body.Text),
            ("$html", body.Html), ("$updated", Ms(body.UpdatedAt))) == 1, cancellationToken);

    private static EmailBody ReadEmailBody(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), OptionalString(r, 5), Time(r, 6), Time(r, 7));
}
