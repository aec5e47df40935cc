using OpenTfa.Core.Protection;

namespace OpenTfa.Core.Storage;

/// <summary>Protection policies, what their rules refused or flagged, and the guard's blocks.</summary>
public interface IProtectionStore
{
    /// <summary>The policy JSON of an application, or of the tenant's default when <paramref name="scope"/> is <c>*</c>.</summary>
    Task<string?> GetProtectionPolicyAsync(string tenantId, string scope, CancellationToken cancellationToken);

    Task SetProtectionPolicyAsync(string tenantId, string scope, string policyJson, DateTimeOffset now, CancellationToken cancellationToken);

    Task RecordRuleEventAsync(RuleEvent ruleEvent, CancellationToken cancellationToken);

    /// <summary>Events of one application since a time, newest first.</summary>
    Task<IReadOnlyList<RuleEvent>> ListRuleEventsAsync(string tenantId, string applicationId, DateTimeOffset since, int limit, CancellationToken cancellationToken);

    Task<GuardBlock?> GetGuardBlockAsync(string tenantId, string applicationId, string prefix, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Blocks a prefix (or extends an existing block).</summary>
    Task SetGuardBlockAsync(GuardBlock block, CancellationToken cancellationToken);

    Task<IReadOnlyList<GuardBlock>> ListGuardBlocksAsync(string tenantId, string applicationId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>SMS sends of one application in the recent window and in the baseline window before it, overall and for one prefix.</summary>
    Task<PrefixStats> GetPrefixStatsAsync(string tenantId, string applicationId, string prefix, DateTimeOffset recentSince, DateTimeOffset baselineSince, CancellationToken cancellationToken);

    /// <summary>Consecutive failed verifications of one destination of an application (counted in NIST mode), or 0.</summary>
    Task<int> GetVerifyFailuresAsync(string applicationId, string destination, CancellationToken cancellationToken);

    /// <summary>Destinations of an application with at least <paramref name="atLeast"/> consecutive failed verifications, most first.</summary>
    Task<IReadOnlyList<VerifyFailures>> ListVerifyFailuresAsync(string tenantId, string applicationId, int atLeast, CancellationToken cancellationToken);

    /// <summary>Starts a destination's count of failed verifications again; false when it had none.</summary>
    Task<bool> ClearVerifyFailuresAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken);

    /// <summary>Accepted operations recorded under a limit key since a time (for caps in monitor mode).</summary>
    Task<int> CountLimitEventsAsync(string key, DateTimeOffset since, CancellationToken cancellationToken);
}
