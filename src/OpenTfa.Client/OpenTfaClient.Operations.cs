using System.Globalization;
using OpenTfa.Contracts;

namespace OpenTfa.Client;

// OpenTfa's operator endpoints: version, channels, protection, workflows, webhooks, audit, analytics and history.
public sealed partial class OpenTfaClient
{
    // ---- Version and channels ----

    /// <summary>The server's version and the commit it was built from; any valid key.</summary>
    public Task<VersionResponse> GetVersionAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "opentfa/v1/version", null, Json.VersionResponse, cancellationToken);

    /// <summary>This node's delivery channels: state, circuit breaker, counters and last error; an <c>opentfa:admin</c> key of the operator tenant.</summary>
    public async Task<IReadOnlyList<ChannelResponse>> GetChannelsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "opentfa/v1/channels", null, Json.ListChannelResponse, cancellationToken).ConfigureAwait(false);

    // ---- Protection (/opentfa/v1/protection, /opentfa/v1/applications/{appId}/protection) ----

    /// <summary>
    /// The tenant's default protection policy (<paramref name="applicationId"/> null) or an
    /// application's effective one; test numbers masked unless <paramref name="unmasked"/> (which
    /// needs <c>opentfa:pii</c> and is audited), their PINs never shown.
    /// </summary>
    public Task<ProtectionPolicy> GetProtectionAsync(string? applicationId = null, bool unmasked = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ProtectionPath(applicationId) + Unmasked(unmasked), null, Json.ProtectionPolicy, cancellationToken);

    /// <summary>Replaces the tenant's default policy (<paramref name="applicationId"/> null) or an application's; fields left out take their defaults.</summary>
    public Task<ProtectionPolicy> SetProtectionAsync(ProtectionPolicy policy, string? applicationId = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ProtectionPath(applicationId), Body(policy, Json.ProtectionPolicy), Json.ProtectionPolicy, cancellationToken);

    /// <summary>What an application's rules refused or flagged since <paramref name="since"/> (at most <paramref name="limit"/>, 1–10000).</summary>
    public Task<RuleEventsResponse> GetProtectionEventsAsync(string applicationId, DateTimeOffset? since = null, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ProtectionPath(applicationId) + "/events" + Query(("since", Millis(since)), ("limit", Number(limit))), null, Json.RuleEventsResponse, cancellationToken);

    /// <summary>The prefixes the pumping guard blocks for an application.</summary>
    public async Task<IReadOnlyList<GuardBlockResponse>> GetGuardBlocksAsync(string applicationId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, ProtectionPath(applicationId) + "/blocks", null, Json.ListGuardBlockResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>Destinations locked out by NIST mode, or with <paramref name="minimumFailures"/> also those on their way; masked unless <paramref name="unmasked"/>.</summary>
    public async Task<IReadOnlyList<LockoutResponse>> GetLockoutsAsync(string applicationId, int? minimumFailures = null, bool unmasked = false, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, ProtectionPath(applicationId) + "/lockouts" + Query(("minimumFailures", Number(minimumFailures)), ("unmasked", unmasked ? "true" : null)), null, Json.ListLockoutResponse, cancellationToken).ConfigureAwait(false);

    /// <summary>Clears a destination's failed verifications (and its lockout).</summary>
    public Task ClearLockoutAsync(string applicationId, string destination, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"{ProtectionPath(applicationId)}/lockouts/{Segment(destination)}", cancellationToken);

    // ---- Workflow (/opentfa/v1/applications/{appId}/workflow) ----

    /// <summary>
    /// An application's fallback workflow. An application without one answers 404, thrown as
    /// <see cref="OpenTfaNotFoundException"/> like an unknown application (its <c>Text</c> says which).
    /// </summary>
    public Task<WorkflowResponse> GetWorkflowAsync(string applicationId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, WorkflowPath(applicationId), null, Json.WorkflowResponse, cancellationToken);

    /// <summary>Replaces the application's workflow; PINs already sent keep the one they started with.</summary>
    public Task<WorkflowResponse> SetWorkflowAsync(string applicationId, WorkflowRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, WorkflowPath(applicationId), Body(request, Json.WorkflowRequest), Json.WorkflowResponse, cancellationToken);

    /// <summary>Removes the application's workflow; removing one that is not there succeeds as well.</summary>
    public Task DeleteWorkflowAsync(string applicationId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, WorkflowPath(applicationId), cancellationToken);

    // ---- Webhooks (/opentfa/v1/applications/{appId}/webhooks) ----

    /// <summary>Creates a webhook; the answer's <c>Secret</c> signs its deliveries and is shown only this once.</summary>
    public Task<WebhookResponse> CreateWebhookAsync(string applicationId, WebhookRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, WebhooksPath(applicationId), Body(request, Json.WebhookRequest), Json.WebhookResponse, cancellationToken);

    public async Task<IReadOnlyList<WebhookResponse>> GetWebhooksAsync(string applicationId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, WebhooksPath(applicationId), null, Json.ListWebhookResponse, cancellationToken).ConfigureAwait(false);

    public Task<WebhookResponse> GetWebhookAsync(string applicationId, string webhookId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"{WebhooksPath(applicationId)}/{Segment(webhookId)}", null, Json.WebhookResponse, cancellationToken);

    /// <summary>Changes the fields set in <paramref name="request"/>.</summary>
    public Task<WebhookResponse> UpdateWebhookAsync(string applicationId, string webhookId, WebhookRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"{WebhooksPath(applicationId)}/{Segment(webhookId)}", Body(request, Json.WebhookRequest), Json.WebhookResponse, cancellationToken);

    public Task DeleteWebhookAsync(string applicationId, string webhookId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"{WebhooksPath(applicationId)}/{Segment(webhookId)}", cancellationToken);

    /// <summary>Replaces the signing secret; the answer's <c>Secret</c> is the new one, shown only this once.</summary>
    public Task<WebhookResponse> RotateWebhookSecretAsync(string applicationId, string webhookId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"{WebhooksPath(applicationId)}/{Segment(webhookId)}/secret", null, Json.WebhookResponse, cancellationToken);

    /// <summary>A webhook's deliveries, newest first, each with its attempts.</summary>
    public async Task<IReadOnlyList<WebhookDeliveryResponse>> GetWebhookDeliveriesAsync(string applicationId, string webhookId, int? limit = null, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, $"{WebhooksPath(applicationId)}/{Segment(webhookId)}/deliveries{Query(("limit", Number(limit)))}", null, Json.ListWebhookDeliveryResponse, cancellationToken).ConfigureAwait(false);

    // ---- Audit, analytics, history ----

    /// <summary>
    /// The audit trail, newest first: the caller's tenant, or for a key of the operator tenant
    /// every tenant's (or <see cref="AuditQuery.TenantId"/>'s); an <c>opentfa:admin</c> key.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntryResponse>> GetAuditTrailAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        string parameters = Query(("tenantId", query.TenantId), ("from", Millis(query.From)), ("to", Millis(query.To)),
            ("before", query.Before?.ToString(CultureInfo.InvariantCulture)), ("limit", Number(query.Limit)));
        return await SendAsync(HttpMethod.Get, "opentfa/v1/audit" + parameters, null, Json.ListAuditEntryResponse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends, verifications, conversion and delivery between <paramref name="from"/> and <paramref name="to"/> (default the last day), in total and by application, channel and country.</summary>
    public Task<AnalyticsResponse> GetAnalyticsAsync(string? applicationId = null, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "opentfa/v1/analytics" + Query(("applicationId", applicationId), ("from", Millis(from)), ("to", Millis(to))), null, Json.AnalyticsResponse, cancellationToken);

    /// <summary>Figures per step of the last hour (<c>hour</c>, by minute), day (<c>day</c>, by hour) or 30 days (<c>month</c>, by UTC day), with the window's protection events.</summary>
    public Task<TimelineResponse> GetTimelineAsync(string range = "day", string? applicationId = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "opentfa/v1/analytics/timeline" + Query(("range", range), ("applicationId", applicationId)), null, Json.TimelineResponse, cancellationToken);

    /// <summary>One PIN's story: its messages and every verify with its outcome; the destination masked unless <paramref name="unmasked"/> (needs <c>opentfa:pii</c>; audited).</summary>
    public Task<PinResponse> GetPinAsync(string pinId, bool unmasked = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"opentfa/v1/pins/{Segment(pinId)}" + Query(("unmasked", unmasked ? "true" : null)), null, Json.PinResponse, cancellationToken);

    /// <summary>Every PIN an application sent to <paramref name="destination"/>, with its messages and outcome, newest first; masked unless <paramref name="unmasked"/>.</summary>
    public Task<HistoryResponse> GetDestinationHistoryAsync(string applicationId, string destination, int? limit = null, bool unmasked = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"opentfa/v1/applications/{Segment(applicationId)}/destinations/{Segment(destination)}/history"
            + Query(("limit", Number(limit)), ("unmasked", unmasked ? "true" : null)), null, Json.HistoryResponse, cancellationToken);

    private static string ProtectionPath(string? applicationId) =>
        applicationId is null ? "opentfa/v1/protection" : $"opentfa/v1/applications/{Segment(applicationId)}/protection";

    private static string WebhooksPath(string applicationId) => $"opentfa/v1/applications/{Segment(applicationId)}/webhooks";

    private static string WorkflowPath(string applicationId) => $"opentfa/v1/applications/{Segment(applicationId)}/workflow";

    private static string? Millis(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static string? Number(int? value) => value?.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Which audit entries to read: a tenant (operator keys only), a window, entries before an id (to page back), how many.</summary>
public sealed record AuditQuery(string? TenantId = null, DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int? Limit = null);
