using Npgsql;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

internal sealed class PostgresEmailBodyStore(PostgresStore store) : IEmailBodyStore
{
    private const string EmailBodyColumns = "id, tenant_id, name, subject, text, html, created_at, updated_at";

    public async Task<EmailBody> CreateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        // A random id; another draw in the rare case that it is taken.
        while (true)
        {
            long id = Ids.NewNumeric();
            IReadOnlyList<long> ids = await store.QueryAsync(
                """
                INSERT INTO email_bodies (id, tenant_id, name, subject, text, html, created_at, updated_at)
                VALUES (@id, @tenant, @name, @subject, @text, @html, @created, @updated) ON CONFLICT (id) DO NOTHING RETURNING id
                """,
                c => BindEmailBody(c.Long("id", id), body), r => r.GetInt64(0), cancellationToken);
            if (ids.Count == 1)
            {
                return body with { Id = id };
            }
        }
    }

    public async Task<EmailBody?> GetEmailBodyAsync(string tenantId, long id, CancellationToken cancellationToken)
    {
        IReadOnlyList<EmailBody> found = await store.QueryAsync(
            $"SELECT {EmailBodyColumns} FROM email_bodies WHERE id = @id AND tenant_id = @tenant",
            c => c.Long("id", id).Text("tenant", tenantId), ReadEmailBody, cancellationToken);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<EmailBody>> ListEmailBodiesAsync(string tenantId, CancellationToken cancellationToken) =>
        store.QueryAsync($"SELECT {EmailBodyColumns} FROM email_bodies WHERE tenant_id = @tenant ORDER BY created_at, id", c => c.Text("tenant", tenantId), ReadEmailBody, cancellationToken);

    public async Task<bool> UpdateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        return await store.ExecuteAsync(
            "UPDATE email_bodies SET name = @name, subject = @subject, text = @text, html = @html, updated_at = @updated WHERE id = @id AND tenant_id = @tenant",
            c => BindEmailBody(c.Long("id", body.Id), body), cancellationToken) == 1;
    }

    private static void BindEmailBody(NpgsqlCommand c, EmailBody b) =>
        c.Text("tenant", b.TenantId).Text("name", b.Name).Text("subject", b.Subject).Text("text", b.Text).Text("html", b.Html)
            .Time("created", b.CreatedAt).Time("updated", b.UpdatedAt);

    private static EmailBody ReadEmailBody(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetStringOrNull(5), r.GetTime(6), r.GetTime(7));
}
