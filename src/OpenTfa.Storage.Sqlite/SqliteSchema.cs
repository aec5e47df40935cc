namespace OpenTfa.Storage.Sqlite;

/// <summary>The schema as ordered migrations; <c>schema_version</c> records how far a database is.</summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL);

        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            hash BLOB NOT NULL,
            scopes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            last_used_at INTEGER,
            revoked_at INTEGER);
        CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

        CREATE TABLE applications (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            allow_multiple INTEGER NOT NULL,
            pin_attempts INTEGER NOT NULL,
            pin_ttl TEXT NOT NULL,
            send_app_limit TEXT NOT NULL,
            send_phone_limit TEXT NOT NULL,
            verify_limit TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX applications_tenant ON applications(tenant_id, created_at);

        CREATE TABLE templates (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            pin_type INTEGER NOT NULL,
            pin_length INTEGER NOT NULL,
            message_text TEXT,
            language TEXT,
            sender_id TEXT,
            repeat_dtmf TEXT,
            speech_rate REAL,
            voice_name TEXT,
            regional TEXT,
            email_template_id INTEGER,
            from_address TEXT,
            landing_page_id TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX templates_application ON templates(application_id, created_at);

        CREATE TABLE pins (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            template_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            destination TEXT NOT NULL,
            pin_key TEXT,
            pin_data BLOB,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            attempts_remaining INTEGER NOT NULL,
            sent INTEGER NOT NULL,
            verified_at INTEGER,
            consumed INTEGER NOT NULL DEFAULT 0,
            placeholders TEXT,
            from_value TEXT);
        CREATE INDEX pins_destination ON pins(application_id, destination, created_at);
        CREATE INDEX pins_expiry ON pins(expires_at);
        CREATE INDEX pins_created ON pins(created_at);

        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            pin_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            destination TEXT NOT NULL,
            from_value TEXT,
            body_key TEXT,
            body_data BLOB,
            state INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            channel_name TEXT,
            channel_message_id TEXT,
            error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            delivered_at INTEGER,
            expires_at INTEGER NOT NULL);
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
        CREATE INDEX outbox_pin ON outbox(pin_id);
        CREATE INDEX outbox_channel_id ON outbox(channel_name, channel_message_id);

        CREATE TABLE pending_receipts (
            channel_name TEXT NOT NULL,
            channel_message_id TEXT NOT NULL,
            state INTEGER NOT NULL,
            error TEXT,
            at INTEGER NOT NULL,
            PRIMARY KEY (channel_name, channel_message_id));

        CREATE TABLE limit_events (
            key TEXT NOT NULL,
            at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL);
        CREATE INDEX limit_events_key ON limit_events(key, at);
        CREATE INDEX limit_events_expiry ON limit_events(expires_at);
        """,
        """
        CREATE TABLE email_bodies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id TEXT NOT NULL,
            name TEXT NOT NULL,
            subject TEXT NOT NULL,
            text TEXT NOT NULL,
            html TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX email_bodies_tenant ON email_bodies(tenant_id, id);
        """,
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            description TEXT,
            secret_key TEXT NOT NULL,
            secret_data BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE INDEX webhooks_application ON webhooks(tenant_id, application_id, created_at);

        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            webhook_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            state INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            last_status INTEGER,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            delivered_at INTEGER);
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
        CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at);
        CREATE INDEX webhook_deliveries_age ON webhook_deliveries(created_at);

        CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at INTEGER NOT NULL,
            status INTEGER,
            error TEXT,
            duration_ms INTEGER NOT NULL,
            PRIMARY KEY (delivery_id, attempt));

        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            tenant_id TEXT NOT NULL,
            actor_tenant_id TEXT NOT NULL,
            actor_key_id TEXT NOT NULL,
            action TEXT NOT NULL,
            target_type TEXT NOT NULL,
            target_id TEXT,
            details TEXT);
        CREATE INDEX audit_log_tenant ON audit_log(tenant_id, id);
        CREATE INDEX audit_log_at ON audit_log(at);

        ALTER TABLE pins ADD COLUMN expiry_announced INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX pins_expiry_unannounced ON pins(expires_at) WHERE expiry_announced = 0;
        ALTER TABLE outbox ADD COLUMN trace_parent TEXT;
        """,
        """
        CREATE TABLE idempotency_keys (
            tenant_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint BLOB NOT NULL,
            completed INTEGER NOT NULL,
            status INTEGER,
            body BLOB,
            started_at INTEGER NOT NULL,
            expires_at INTEGER,
            PRIMARY KEY (tenant_id, scope, key));
        CREATE INDEX idempotency_keys_expiry ON idempotency_keys(expires_at);

        CREATE TABLE protection_policies (
            tenant_id TEXT NOT NULL,
            scope TEXT NOT NULL,
            policy TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, scope));

        CREATE TABLE rule_events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            rule TEXT NOT NULL,
            mode TEXT NOT NULL,
            country TEXT NOT NULL,
            prefix TEXT NOT NULL,
            at INTEGER NOT NULL);
        CREATE INDEX rule_events_application ON rule_events(application_id, at);

        CREATE TABLE guard_blocks (
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            prefix TEXT NOT NULL,
            since INTEGER NOT NULL,
            until INTEGER NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (tenant_id, application_id, prefix));
        """,

        // v5: consecutive failed verifications per destination (NIST SP 800-63B mode).
        """
        CREATE TABLE verify_failures (
            application_id TEXT NOT NULL,
            destination TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            failures INTEGER NOT NULL,
            last_failure_at INTEGER NOT NULL,
            PRIMARY KEY (application_id, destination));
        """,

        // v6: audit entries get a random public id (the row id stays internal, for order);
        // e-mail bodies take random ids from the store, which needs no change here.
        """
        ALTER TABLE audit_log ADD COLUMN public_id INTEGER;
        UPDATE audit_log SET public_id = (random() & 4503599627370495) + 1;
        CREATE UNIQUE INDEX audit_log_public_id ON audit_log(public_id);
        """,

        // v7: the senders the operator allowed each tenant.
        """
        CREATE TABLE tenant_senders (
            tenant_id TEXT PRIMARY KEY,
            senders TEXT NOT NULL,
            updated_at INTEGER NOT NULL);
        """,

        // v8: each verify of a PIN, on the PIN's row (see VerifyLog).
        """
        ALTER TABLE pins ADD COLUMN verify_log TEXT;
        """,

        // v9: the Twilio surface: canceled verifications, service settings, rate limits and buckets.
        """
        ALTER TABLE pins ADD COLUMN canceled_at INTEGER;
        CREATE TABLE twilio_services (
            application_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            settings TEXT NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE TABLE twilio_rate_limits (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            application_id TEXT NOT NULL,
            parent_id TEXT,
            unique_name TEXT,
            description TEXT,
            max INTEGER NOT NULL,
            interval_seconds INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE UNIQUE INDEX twilio_rate_limits_name ON twilio_rate_limits(application_id, unique_name) WHERE parent_id IS NULL;
        CREATE INDEX twilio_rate_limits_application ON twilio_rate_limits(application_id, created_at);
        """,

        // v10: fallback workflows: an application's plan, each PIN's place in its own, each message's step.
        """
        ALTER TABLE applications ADD COLUMN workflow TEXT;
        ALTER TABLE pins ADD COLUMN workflow TEXT;
        ALTER TABLE pins ADD COLUMN workflow_step INTEGER;
        ALTER TABLE pins ADD COLUMN workflow_due INTEGER;
        ALTER TABLE pins ADD COLUMN workflow_message TEXT;
        ALTER TABLE outbox ADD COLUMN step INTEGER;
        CREATE INDEX pins_workflow_due ON pins(workflow_due) WHERE workflow_due IS NOT NULL;
        """,
    ];
}
