namespace OpenTfa.Storage.Postgres;

/// <summary>One step of the schema; steps run in order, each once, inside the migration transaction.</summary>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The schema as ordered migrations. A released step is never edited: a change is a new step.
/// Times are <c>timestamptz</c> (UTC); enums are stored by name.
/// </summary>
internal static class PostgresSchema
{
    public const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version integer PRIMARY KEY,
            description text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "tenants, keys, applications, templates, PINs, outbox, limit events", """
            CREATE TABLE tenants (
                id text PRIMARY KEY,
                name text NOT NULL,
                created_at timestamptz NOT NULL
            );

            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                name text NOT NULL,
                hash bytea NOT NULL,
                scopes text[] NOT NULL,
                created_at timestamptz NOT NULL,
                expires_at timestamptz,
                last_used_at timestamptz,
                revoked_at timestamptz
            );
            CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id);

            CREATE TABLE applications (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                name text NOT NULL,
                enabled boolean NOT NULL,
                allow_multiple_verifications boolean NOT NULL,
                pin_attempts integer NOT NULL,
                pin_time_to_live text NOT NULL,
                send_per_application_limit text NOT NULL,
                send_per_phone_number_limit text NOT NULL,
                verify_pin_limit text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX applications_by_tenant ON applications (tenant_id, created_at, id);

            CREATE TABLE templates (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                kind text NOT NULL,
                pin_type text NOT NULL,
                pin_length integer NOT NULL,
                message_text text,
                language text,
                sender_id text,
                repeat_dtmf text,
                speech_rate double precision,
                voice_name text,
                regional_json text,
                email_template_id bigint,
                email_from text,
                landing_page_id text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX templates_by_application ON templates (tenant_id, application_id, created_at, id);

            -- A pruned PIN keeps its row (for verification history) but loses its sealed value.
            CREATE TABLE pins (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                template_id text NOT NULL,
                kind text NOT NULL,
                destination text NOT NULL,
                pin_key_id text,
                pin_data bytea,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                attempts_remaining integer NOT NULL,
                sent boolean NOT NULL,
                verified_at timestamptz,
                consumed boolean NOT NULL,
                placeholders_json text,
                sender text,
                pruned boolean NOT NULL DEFAULT false
            );
            CREATE INDEX pins_by_destination ON pins (tenant_id, application_id, destination, created_at DESC, id);
            CREATE INDEX pins_to_seal ON pins (expires_at) WHERE NOT pruned;
            CREATE INDEX pins_by_age ON pins (created_at);

            CREATE TABLE outbox_messages (
                id text PRIMARY KEY,
                pin_id text NOT NULL REFERENCES pins (id),
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                kind text NOT NULL,
                recipient text NOT NULL,
                sender text,
                body_key_id text,
                body_data bytea,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                state text NOT NULL,
                attempts integer NOT NULL,
                next_attempt_at timestamptz NOT NULL,
                lease_owner text,
                lease_until timestamptz,
                updated_at timestamptz NOT NULL,
                channel_name text,
                channel_message_id text,
                error text,
                delivered_at timestamptz
            );
            CREATE INDEX outbox_due ON outbox_messages (next_attempt_at) WHERE state = 'Queued';
            CREATE INDEX outbox_by_pin ON outbox_messages (pin_id, created_at);
            CREATE INDEX outbox_by_channel_message ON outbox_messages (channel_name, channel_message_id) WHERE channel_message_id IS NOT NULL;
            CREATE INDEX outbox_by_lease_owner ON outbox_messages (lease_owner) WHERE lease_owner IS NOT NULL;

            -- Delivery reports that arrived before the submission that names their message was stored.
            CREATE TABLE pending_receipts (
                channel_name text NOT NULL,
                channel_message_id text NOT NULL,
                state text NOT NULL,
                error text,
                reported_at timestamptz NOT NULL,
                PRIMARY KEY (channel_name, channel_message_id)
            );

            -- Accepted operations per sliding-window limit key.
            CREATE TABLE limit_events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key text NOT NULL,
                at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL
            );
            CREATE INDEX limit_events_by_key ON limit_events (key, at);
            CREATE INDEX limit_events_by_expiry ON limit_events (expires_at);
            """),
        new(2, "e-mail bodies behind emailTemplateId", """
            CREATE TABLE email_bodies (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL,
                name text NOT NULL,
                subject text NOT NULL,
                text text NOT NULL,
                html text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX email_bodies_by_tenant ON email_bodies (tenant_id, id);
            """),
        new(3, "webhooks and their delivery queue, audit log, expiry announcements, message trace context", """
            CREATE TABLE webhooks (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                url text NOT NULL,
                events text[] NOT NULL,
                enabled boolean NOT NULL,
                description text,
                secret_key_id text NOT NULL,
                secret_data bytea NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX webhooks_by_application ON webhooks (tenant_id, application_id, created_at, id);

            CREATE TABLE webhook_deliveries (
                id text PRIMARY KEY,
                webhook_id text NOT NULL,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                event_id text NOT NULL,
                event_type text NOT NULL,
                payload text NOT NULL,
                state text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL,
                lease_owner text,
                lease_until timestamptz,
                last_status integer,
                last_error text,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                delivered_at timestamptz
            );
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'Pending';
            CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at, id);
            CREATE INDEX webhook_deliveries_by_age ON webhook_deliveries (created_at);

            CREATE TABLE webhook_attempts (
                delivery_id text NOT NULL,
                attempt integer NOT NULL,
                at timestamptz NOT NULL,
                status integer,
                error text,
                duration_ms integer NOT NULL,
                PRIMARY KEY (delivery_id, attempt)
            );

            -- Append-only: nothing in OpenTfa updates or deletes an audit row.
            CREATE TABLE audit_log (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at timestamptz NOT NULL,
                tenant_id text NOT NULL,
                actor_tenant_id text NOT NULL,
                actor_key_id text NOT NULL,
                action text NOT NULL,
                target_type text NOT NULL,
                target_id text,
                details text
            );
            CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, id);
            CREATE INDEX audit_log_by_time ON audit_log (at);

            ALTER TABLE pins ADD COLUMN expiry_announced boolean NOT NULL DEFAULT false;
            CREATE INDEX pins_expiry_unannounced ON pins (expires_at) WHERE NOT expiry_announced;
            ALTER TABLE outbox_messages ADD COLUMN trace_parent text;
            """),
        new(4, "idempotency keys; protection policies, rule events, guard blocks", """
            CREATE TABLE idempotency_keys (
                tenant_id text NOT NULL,
                scope text NOT NULL,
                key text NOT NULL,
                fingerprint bytea NOT NULL,
                completed boolean NOT NULL,
                status integer,
                body bytea,
                started_at timestamptz NOT NULL,
                expires_at timestamptz,
                PRIMARY KEY (tenant_id, scope, key)
            );
            CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at) WHERE completed;

            CREATE TABLE protection_policies (
                tenant_id text NOT NULL,
                scope text NOT NULL,
                policy text NOT NULL,
                updated_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, scope)
            );

            CREATE TABLE rule_events (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                rule text NOT NULL,
                mode text NOT NULL,
                country text NOT NULL,
                prefix text NOT NULL,
                at timestamptz NOT NULL
            );
            CREATE INDEX rule_events_by_application ON rule_events (application_id, at);

            CREATE TABLE guard_blocks (
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                prefix text NOT NULL,
                since timestamptz NOT NULL,
                until timestamptz NOT NULL,
                reason text NOT NULL,
                PRIMARY KEY (tenant_id, application_id, prefix)
            );
            """),
        new(5, "consecutive failed verifications per destination (NIST SP 800-63B mode)", """
            CREATE TABLE verify_failures (
                application_id text NOT NULL,
                destination text NOT NULL,
                tenant_id text NOT NULL,
                failures integer NOT NULL,
                last_failure_at timestamptz NOT NULL,
                PRIMARY KEY (application_id, destination)
            );
            """),
        new(6, "random ids: e-mail bodies take them from the store, audit entries get a public one (the row id stays internal, for order)", """
            ALTER TABLE email_bodies ALTER COLUMN id DROP IDENTITY;
            ALTER TABLE audit_log ADD COLUMN public_id bigint;
            UPDATE audit_log SET public_id = 1 + floor(random() * 4503599627370495)::bigint;
            ALTER TABLE audit_log ALTER COLUMN public_id SET NOT NULL;
            CREATE UNIQUE INDEX audit_log_by_public_id ON audit_log (public_id);
            """),
        new(7, "the senders the operator allowed each tenant", """
            CREATE TABLE tenant_senders (
                tenant_id text PRIMARY KEY,
                senders text NOT NULL,
                updated_at timestamptz NOT NULL
            );
            """),
        new(8, "each verify of a PIN, on the PIN's row (see VerifyLog)", """
            ALTER TABLE pins ADD COLUMN verify_log text;
            """),
        new(9, "the Twilio surface: canceled verifications, service settings, rate limits and their buckets", """
            ALTER TABLE pins ADD COLUMN canceled_at timestamptz;

            CREATE TABLE twilio_services (
                application_id text PRIMARY KEY,
                tenant_id text NOT NULL,
                settings text NOT NULL,
                updated_at timestamptz NOT NULL
            );

            -- A rate limit has no parent and a unique name within its service; a bucket names its rate limit as parent.
            CREATE TABLE twilio_rate_limits (
                id text PRIMARY KEY,
                tenant_id text NOT NULL,
                application_id text NOT NULL,
                parent_id text,
                unique_name text,
                description text,
                max integer NOT NULL,
                interval_seconds integer NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE UNIQUE INDEX twilio_rate_limits_name ON twilio_rate_limits (application_id, unique_name) WHERE parent_id IS NULL;
            CREATE INDEX twilio_rate_limits_by_application ON twilio_rate_limits (application_id, created_at, id);
            """),
        new(10, "fallback workflows: an application's plan, each PIN's place in its own, each message's step", """
            ALTER TABLE applications ADD COLUMN workflow text;
            ALTER TABLE pins ADD COLUMN workflow text, ADD COLUMN workflow_step integer, ADD COLUMN workflow_due timestamptz, ADD COLUMN workflow_message text;
            ALTER TABLE outbox_messages ADD COLUMN step integer;
            CREATE INDEX pins_workflow_due ON pins (workflow_due) WHERE workflow_due IS NOT NULL;
            """),
        new(11, "leases of application send limits: slots a node may spend without the limit's lock (see PostgresSendLeases)", """
            CREATE TABLE limit_leases (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                key text NOT NULL,
                slots integer NOT NULL CHECK (slots >= 0),
                granted integer NOT NULL,
                starts_at timestamptz NOT NULL,
                ends_at timestamptz NOT NULL,
                holder text NOT NULL
            );
            CREATE INDEX limit_leases_by_key ON limit_leases (key, ends_at);
            CREATE INDEX limit_leases_by_end ON limit_leases (ends_at);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
