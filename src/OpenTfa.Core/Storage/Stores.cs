using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Core.Storage;

// Store roles. Every method is one atomic step; none of them leaves a read-compare-write
// to the caller across two round trips.

public interface ITenantStore
{
    Task<bool> CreateTenantAsync(Tenant tenant, CancellationToken cancellationToken);

    Task<Tenant?> GetTenantAsync(string tenantId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Tenant>> ListTenantsAsync(CancellationToken cancellationToken);

    Task CreateKeyAsync(ApiKey key, CancellationToken cancellationToken);

    /// <summary>Creates the tenant and key only if the store holds no key at all; true when it did.</summary>
    Task<bool> CreateFirstKeyAsync(Tenant tenant, ApiKey key, CancellationToken cancellationToken);

    Task<ApiKey?> FindKeyAsync(string keyId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiKey>> ListKeysAsync(string? tenantId, CancellationToken cancellationToken);

    Task<ApiKey?> RevokeKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken);

    Task TouchKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The JSON of the senders the operator allowed a tenant, or null when it set none.</summary>
    Task<string?> GetTenantSendersAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Replaces a tenant's senders; null removes them.</summary>
    Task SetTenantSendersAsync(string tenantId, string? sendersJson, DateTimeOffset now, CancellationToken cancellationToken);
}

public interface IApplicationStore
{
    Task CreateApplicationAsync(Application application, CancellationToken cancellationToken);

    Task<Application?> GetApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Application>> ListApplicationsAsync(string tenantId, CancellationToken cancellationToken);

    Task<bool> UpdateApplicationAsync(Application application, CancellationToken cancellationToken);

    /// <summary>Replaces an application's workflow (null removes it); PINs already sent keep the plan they started with. False when there is no such application.</summary>
    Task<bool> SetWorkflowAsync(string tenantId, string applicationId, Workflows.Workflow? workflow, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an application with its templates, its webhooks and their deliveries, its Twilio
    /// service settings and rate limits; its
    /// PINs stay until retention prunes them, unreachable because every PIN operation finds its
    /// application first. False when there was no such application.
    /// </summary>
    Task<bool> DeleteApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    Task CreateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken);

    Task<MessageTemplate?> GetTemplateAsync(string tenantId, string applicationId, string templateId, CancellationToken cancellationToken);

    Task<IReadOnlyList<MessageTemplate>> ListTemplatesAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    Task<bool> UpdateTemplateAsync(MessageTemplate template, CancellationToken cancellationToken);
}

public interface IEmailBodyStore
{
    /// <summary>Stores a new body and answers it with the id the store gave it (positive, never reused).</summary>
    Task<EmailBody> CreateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken);

    Task<EmailBody?> GetEmailBodyAsync(string tenantId, long id, CancellationToken cancellationToken);

    Task<IReadOnlyList<EmailBody>> ListEmailBodiesAsync(string tenantId, CancellationToken cancellationToken);

    Task<bool> UpdateEmailBodyAsync(EmailBody body, CancellationToken cancellationToken);
}

public sealed record ResendOperation(string TenantId, string PinId, OutboxMessage Message, IReadOnlyList<LimitCheck> Limits, DateTimeOffset Now);

/// <summary>What a verify is decided on, worked out from the PIN the store step read.</summary>
/// <param name="Matches">Whether the candidate matches the PIN as read in the step.</param>
/// <param name="FailureCap">
/// When set (NIST SP 800-63B mode), the destination's consecutive failed verifications are
/// counted in the same step: at the cap the verify is refused without touching the PIN, a
/// wrong PIN adds one, and a successful verification starts the count again.
/// </param>
public sealed record VerifyTerms(bool Matches, bool AllowMultipleVerifications, LimitCheck Limit, int? FailureCap = null);

/// <summary>
/// A verify as one store step: the store reads the PIN, asks <see cref="Terms"/> what to decide
/// on (the candidate is compared with the PIN as read there, so a PIN replaced by a workflow
/// step in between is never compared stale), counts the limit and applies the decision, with
/// nothing else changing the PIN meanwhile. <see cref="Terms"/> answering an error leaves
/// everything untouched and the step answers <see cref="VerifyResult.Refused"/>.
/// </summary>
public sealed record VerifyOperation(string TenantId, string PinId, DateTimeOffset Now, Func<PinRecord, CancellationToken, ValueTask<Result<VerifyTerms>>> Terms);

public abstract record ResendResult
{
    public sealed record Resent : ResendResult;

    public sealed record Limited(LimitRefusal Refusal) : ResendResult;

    public sealed record Refused(PinError Reason) : ResendResult;

    public sealed record NotFound : ResendResult;
}

public abstract record VerifyResult
{
    public sealed record Decided(PinRecord Pin, VerifyDecision Decision) : VerifyResult;

    public sealed record Limited(PinRecord Pin, LimitRefusal Refusal) : VerifyResult;

    /// <summary>The destination reached <see cref="VerifyTerms.FailureCap"/>; the PIN was not touched.</summary>
    public sealed record LockedOut(PinRecord Pin, int Failures) : VerifyResult;

    /// <summary><see cref="VerifyOperation.Terms"/> refused the verify (its application is gone or disabled); nothing was counted.</summary>
    public sealed record Refused(TfaError Error) : VerifyResult;

    public sealed record NotFound : VerifyResult;
}

/// <summary>
/// A Twilio verification start: the PIN to issue when the destination has none pending, or a new
/// message for the pending one (<see cref="PendingPinId"/>, read before the step, with
/// <see cref="Reuse"/> built for it). Both count against <see cref="Limits"/>; a pending PIN takes
/// at most <see cref="MaxSends"/> messages.
/// </summary>
public sealed record StartVerificationOperation(
    string TenantId,
    string ApplicationId,
    string Destination,
    NewPin Fresh,
    string? PendingPinId,
    OutboxMessage? Reuse,
    IReadOnlyList<LimitCheck> Limits,
    int MaxSends,
    DateTimeOffset Now);

public abstract record StartVerificationResult
{
    public sealed record Issued : StartVerificationResult;

    /// <param name="Sends">How many messages the pending PIN has had, this one included.</param>
    public sealed record Reused(int Sends) : StartVerificationResult;

    public sealed record Limited(LimitRefusal Refusal) : StartVerificationResult;

    public sealed record MaxSendsReached : StartVerificationResult;

    /// <summary>Another start changed which PIN is pending since it was read; read again and retry.</summary>
    public sealed record Raced : StartVerificationResult;
}

public enum PinClosure
{
    Canceled,
    Approved,
}

public abstract record CloseResult
{
    public sealed record Closed(PinRecord Pin) : CloseResult;

    /// <summary>The PIN exists but is no longer pending (verified, canceled, expired or out of attempts).</summary>
    public sealed record NotPending(PinRecord Pin) : CloseResult;

    public sealed record NotFound : CloseResult;
}

public sealed record VerificationEntry(string Destination, bool Sent, DateTimeOffset SentAt, DateTimeOffset? VerifiedAt);

public sealed record VerificationQuery(string TenantId, string ApplicationId, string Destination, bool? Verified, bool? Sent);

public interface IPinStore
{
    /// <summary>
    /// Checks every limit, and if all admit it, counts the send against each, stores the PIN
    /// and enqueues its message (when there is one) in one transaction.
    /// </summary>
    Task<LimitRefusal?> IssuePinAsync(PinRecord pin, OutboxMessage? message, IReadOnlyList<LimitCheck> limits, DateTimeOffset now, CancellationToken cancellationToken);

    Task<PinRecord?> GetPinAsync(string tenantId, string pinId, CancellationToken cancellationToken);

    /// <summary>Refuses a finished PIN, checks and counts the limits and enqueues the message, atomically.</summary>
    Task<ResendResult> ResendPinAsync(ResendOperation operation, CancellationToken cancellationToken);

    /// <summary>Checks and counts the verify limit, then applies <see cref="PinRules.Decide"/> to the PIN, atomically.</summary>
    Task<VerifyResult> VerifyPinAsync(VerifyOperation operation, CancellationToken cancellationToken);

    /// <summary>
    /// The newest pending PIN of an application for a destination: not verified, not canceled,
    /// not consumed, not expired at <paramref name="now"/>, with attempts left; null when none is.
    /// </summary>
    Task<PinRecord?> FindPendingPinAsync(string tenantId, string applicationId, string destination, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The newest PIN of an application for a destination whatever its state (pruned ones excepted), or null.</summary>
    Task<PinRecord?> FindNewestPinAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken);

    /// <summary>
    /// In one step: finds the destination's pending PIN (as <see cref="FindPendingPinAsync"/>);
    /// when it is the one the operation was built for, checks its send count and the limits and
    /// enqueues <see cref="StartVerificationOperation.Reuse"/>; when none is pending, issues
    /// <see cref="StartVerificationOperation.Fresh"/> as <see cref="IssuePinAsync"/> would;
    /// otherwise answers <see cref="StartVerificationResult.Raced"/> having changed nothing.
    /// Starts for one destination run one at a time on every node.
    /// </summary>
    Task<StartVerificationResult> StartVerificationAsync(StartVerificationOperation operation, CancellationToken cancellationToken);

    /// <summary>Cancels or approves a pending PIN; either ends it (no more verifies or resends).</summary>
    Task<CloseResult> ClosePinAsync(string tenantId, string pinId, PinClosure closure, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>PINs sent to one destination by one application, newest first.</summary>
    Task<IReadOnlyList<VerificationEntry>> ListVerificationsAsync(VerificationQuery query, CancellationToken cancellationToken);
}

public interface IOutboxStore
{
    /// <summary>Leases up to <paramref name="max"/> due messages to <paramref name="owner"/> until <c>now + lease</c>.</summary>
    Task<IReadOnlyList<OutboxMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    Task MarkSubmittedAsync(string messageId, string owner, string channelName, string? channelMessageId, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkRetryAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset nextAttemptAt, DateTimeOffset now, CancellationToken cancellationToken);

    Task MarkFailedAsync(string messageId, string owner, string? channelName, string error, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records a delivery report for the message the channel knows by <paramref name="channelMessageId"/>.
    /// <paramref name="reportedAt"/> is when the report says it happened (a delivered message's
    /// <c>deliveredAt</c>); <paramref name="now"/> is when it is recorded (the message's <c>updatedAt</c>).
    /// A report for an id not stored yet is kept, and applied when the submission stores that id.
    /// </summary>
    Task<bool> RecordDeliveryAsync(string channelName, string channelMessageId, MessageState state, string? error, DateTimeOffset reportedAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Hands back every lease <paramref name="owner"/> holds (on shutdown).</summary>
    Task ReleaseAsync(string owner, CancellationToken cancellationToken);

    Task<IReadOnlyList<MessageStatus>> ListMessagesAsync(string tenantId, string pinId, CancellationToken cancellationToken);

    Task<MessageStatus?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken);
}

public sealed record RetentionPolicy(TimeSpan PinAfterExpiry, TimeSpan History)
{
    /// <summary>How long an expired console session stays listed with the keys before a prune deletes it.</summary>
    public static readonly TimeSpan EndedConsoleSessions = TimeSpan.FromDays(1);
}

public sealed record PruneCounts(int PinsSealed, int PinsDeleted, int Messages, int LimitEvents);

/// <summary>A store's answer to a health check; <see cref="Problem"/> says what is wrong, for the operator.</summary>
public sealed record StoreHealth(bool Healthy, string? Problem = null)
{
    public static StoreHealth Ok { get; } = new(true);

    public static StoreHealth Unavailable(string problem) => new(false, problem);
}

public interface IStoreMaintenance
{
    /// <summary>Creates or migrates the schema; safe when several nodes start at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the store answers and can write; false, with the reason, for a database that does
    /// not answer and for one that refuses writes (a full disk). Never throws for either.
    /// </summary>
    Task<StoreHealth> CheckHealthAsync(CancellationToken cancellationToken);

    Task<PruneCounts> PruneAsync(DateTimeOffset now, RetentionPolicy policy, CancellationToken cancellationToken);
}
