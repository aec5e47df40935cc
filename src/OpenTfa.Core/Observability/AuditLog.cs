using Microsoft.Extensions.Logging;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Observability;

/// <summary>
/// One audit entry: who (the key and its tenant) did what to which target, in which tenant.
/// <see cref="Details"/> is a short text naming what changed; it never holds a secret, a PIN or a
/// full number or address.
/// </summary>
public sealed record AuditEntry(
    long Id,
    DateTimeOffset At,
    string TenantId,
    string ActorTenantId,
    string ActorKeyId,
    string Action,
    string TargetType,
    string? TargetId,
    string? Details);

/// <summary>Entries of one tenant (all tenants when null), newest first, optionally in [From, To) and before an id (for paging).</summary>
public sealed record AuditQuery(string? TenantId, DateTimeOffset? From, DateTimeOffset? To, long? BeforeId, int Limit);

/// <summary>The actions the audit trail records. Other features add theirs in the same <c>noun.verb</c> form.</summary>
public static class AuditActions
{
    public const string TenantCreated = "tenant.created";
    public const string TenantSendersChanged = "tenant.senders_changed";
    public const string KeyCreated = "key.created";
    public const string KeyRevoked = "key.revoked";
    public const string KeyRecovered = "key.recovered";
    public const string ConsoleSignedIn = "console.signed_in";
    public const string ConsoleSignedOut = "console.signed_out";
    public const string ApplicationCreated = "application.created";
    public const string ApplicationUpdated = "application.updated";
    public const string ApplicationDeleted = "application.deleted";
    public const string WorkflowChanged = "workflow.changed";
    public const string WorkflowRemoved = "workflow.removed";
    public const string TemplateCreated = "template.created";
    public const string TemplateUpdated = "template.updated";
    public const string EmailBodyCreated = "email_body.created";
    public const string EmailBodyUpdated = "email_body.updated";
    public const string WebhookCreated = "webhook.created";
    public const string WebhookUpdated = "webhook.updated";
    public const string WebhookDeleted = "webhook.deleted";
    public const string WebhookSecretRotated = "webhook.secret_rotated";
    public const string DestinationUnmasked = "destination.unmasked";
    public const string TestNumberAdded = "test_number.added";
    public const string TestNumberChanged = "test_number.changed";
    public const string TestNumberRemoved = "test_number.removed";
}

/// <summary>
/// The append-only audit trail. Call <see cref="RecordAsync"/> after a change succeeded; reading
/// needs an <c>opentfa:admin</c> key: the operator's sees every tenant, a tenant's its own.
/// </summary>
public sealed partial class AuditLog(IAuditStore store, TimeProvider time, ILogger<AuditLog> logger)
{
    public const int MaxLimit = 1000;

    /// <summary>
    /// Appends an entry for <paramref name="caller"/>'s action on <paramref name="tenantId"/>. A
    /// failure to write is logged, not thrown: the change itself is already done.
    /// </summary>
    public async Task RecordAsync(Caller caller, string tenantId, string action, string targetType, string? targetId, string? details, CancellationToken cancellationToken)
    {
        try
        {
            await store.AppendAuditAsync(new AuditEntry(0, time.GetUtcNow(), tenantId, caller.TenantId, caller.Key.Id, action, targetType, targetId, details), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.AppendFailed(logger, ex, action, caller.Key.Id);
        }
    }

    public async Task<Result<IReadOnlyList<AuditEntry>>> ListAsync(Caller caller, string? tenantId, DateTimeOffset? from, DateTimeOffset? to, long? before, int? limit, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxLimit)
        {
            return TfaError.Field("limit", $"must be between 1 and {MaxLimit}");
        }

        string? target = caller.IsOperatorAdmin ? (string.IsNullOrEmpty(tenantId) ? null : tenantId) : caller.TenantId;
        if (!caller.IsOperatorAdmin && !string.IsNullOrEmpty(tenantId) && tenantId != caller.TenantId)
        {
            return new TfaError(ErrorKind.NotFound, "Tenant not found");
        }

        return Result<IReadOnlyList<AuditEntry>>.Ok(await store.ListAuditAsync(new AuditQuery(target, from, to, before, limit ?? 100), cancellationToken));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Could not append the audit entry {Action} by key {KeyId}")]
        public static partial void AppendFailed(ILogger logger, Exception exception, string action, string keyId);
    }
}
