using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Protection;

/// <summary>What protection decided for one send: an enforced refusal, and the caps to count atomically with the send.</summary>
public sealed record ProtectionDecision(RuleHit? Refusal, IReadOnlyList<LimitCheck> Caps);

/// <summary>
/// Destination rules, pumping caps and the pumping guard, in monitor or enforce mode per
/// rule. Policies are read from the store and trusted for a few seconds per node, so a
/// change (a mode switch included) takes effect without a restart, at once on the node that
/// made it and within <see cref="PolicyCacheDuration"/> elsewhere.
/// </summary>
public sealed partial class ProtectionService(IProtectionStore store, SecretProtector protector, IOptions<ProtectionOptions> options, TimeProvider time, ILogger<ProtectionService> logger)
{
    public const string TenantDefault = "*";
    public static readonly TimeSpan PolicyCacheDuration = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan GuardEvaluationInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Tenant, string Scope), (ProtectionPolicy? Policy, DateTimeOffset At)> _policies = new();
    private readonly ConcurrentDictionary<(string Tenant, string App, string Prefix), DateTimeOffset> _guardEvaluated = new();

    public static string CapKey(string applicationId, string what, string value) => $"cap:{applicationId}:{what}:{value}";

    public async Task<ProtectionPolicy> GetEffectiveAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        await GetStoredAsync(tenantId, applicationId, cancellationToken)
        ?? await GetStoredAsync(tenantId, TenantDefault, cancellationToken)
        ?? new ProtectionPolicy();

    /// <summary>The application as its policy makes it: clamped in NIST mode.</summary>
    public async Task<Application> EffectiveAsync(Application application, CancellationToken cancellationToken) =>
        (await GetEffectiveAsync(application.TenantId, application.Id, cancellationToken)).Nist
            ? application with { Settings = NistMode.Clamp(application.Settings) }
            : application;

    /// <summary>The policy stored for an application or the tenant default (<c>*</c>), or null.</summary>
    public async Task<ProtectionPolicy?> GetStoredAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_policies.TryGetValue((tenantId, scope), out var cached) && now - cached.At < PolicyCacheDuration)
        {
            return cached.Policy;
        }

        string? json = await store.GetProtectionPolicyAsync(tenantId, scope, cancellationToken);
        ProtectionPolicy? policy = json is null ? null : JsonSerializer.Deserialize(json, CoreJsonContext.Default.ProtectionPolicy);
        _policies[(tenantId, scope)] = (policy, now);
        return policy;
    }

    /// <summary>
    /// Runs the destination rules and the guard for a send to a phone number, recording every
    /// hit (monitor hits are logged and let through); returns the first enforced hit, if any,
    /// and the caps to count with the send.
    /// </summary>
    public async Task<ProtectionDecision> CheckSendAsync(string tenantId, string applicationId, string destination, ChannelKind kind, CancellationToken cancellationToken)
    {
        ProtectionPolicy policy = await GetEffectiveAsync(tenantId, applicationId, cancellationToken);
        DateTimeOffset now = time.GetUtcNow();
        string country = Destinations.Country(destination);
        var hits = new List<RuleHit>();

        if (ListRefuses(policy.Countries, country) is { } countryText)
        {
            hits.Add(new RuleHit("countries", policy.Countries.Mode, $"Destination country {country} {countryText}"));
        }

        string? matchedPrefix = policy.Prefixes.Deny.Where(destination.StartsWith).OrderByDescending(p => p.Length).FirstOrDefault();
        if (matchedPrefix is not null)
        {
            hits.Add(new RuleHit("prefixes", policy.Prefixes.Mode, $"Destination prefix +{matchedPrefix} is on the application's deny list"));
        }
        else if (policy.Prefixes.Allow.Count > 0 && !policy.Prefixes.Allow.Any(destination.StartsWith))
        {
            hits.Add(new RuleHit("prefixes", policy.Prefixes.Mode, "Destination prefix is not on the application's allow list"));
        }

        string type = Destinations.NumberType(destination);
        bool landlineOk = kind == ChannelKind.Voice && type is "FIXED_LINE" or "FIXED_LINE_OR_MOBILE";
        if (policy.Nist && type == "VOIP")
        {
            hits.Add(new RuleHit("nist", RuleModes.Enforce, "Destination is a VOIP number, which NIST SP 800-63B mode refuses"));
        }
        else if (await LockoutAsync(policy, applicationId, destination, cancellationToken) is { } lockout)
        {
            hits.Add(lockout);
        }
        else if (!landlineOk && policy.NumberTypes.Refuse.Contains(type, StringComparer.Ordinal))
        {
            hits.Add(new RuleHit("numberTypes", policy.NumberTypes.Mode, $"Destination is a {type} number, which this application refuses"));
        }

        if (policy.Guard.Enabled && await GuardAsync(tenantId, applicationId, destination, policy.Guard, now, cancellationToken) is { } guardHit)
        {
            hits.Add(guardHit);
        }

        var caps = new List<LimitCheck>();
        await AddCapAsync(policy.Caps, policy.Caps.PerCountry, "country", country, applicationId, now, caps, hits, cancellationToken);
        string capPrefix = destination[..Math.Min(policy.Caps.PrefixDigits, destination.Length)];
        await AddCapAsync(policy.Caps, policy.Caps.PerPrefix, "prefix", capPrefix, applicationId, now, caps, hits, cancellationToken);

        foreach (RuleHit hit in hits)
        {
            await RecordAsync(tenantId, applicationId, hit, country, destination, now, cancellationToken);
        }

        return new ProtectionDecision(hits.FirstOrDefault(h => h.Enforced), caps);
    }

    /// <summary>Records an enforced cap that the atomic send refused.</summary>
    public Task RecordCapRefusalAsync(string tenantId, string applicationId, LimitCheck check, string destination, CancellationToken cancellationToken) =>
        RecordAsync(tenantId, applicationId, new RuleHit(check.Setting, RuleModes.Enforce, check.Text), Destinations.Country(destination), destination, time.GetUtcNow(), cancellationToken);

    /// <summary>The refusal of a destination that NIST mode locked out after too many failed verifications, or null.</summary>
    public async Task<RuleHit?> LockoutAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken) =>
        await LockoutAsync(await GetEffectiveAsync(tenantId, applicationId, cancellationToken), applicationId, destination, cancellationToken);

    /// <summary>Records a verify or resend refused because its destination is locked out in NIST mode.</summary>
    public Task RecordLockoutAsync(string tenantId, string applicationId, string destination, RuleHit lockout, CancellationToken cancellationToken) =>
        RecordAsync(tenantId, applicationId, lockout, Destinations.Country(destination), destination, time.GetUtcNow(), cancellationToken);

    public static RuleHit LockoutHit(int failures) => new("nist", RuleModes.Enforce, LockoutText(failures));

    /// <summary>Destinations with at least <paramref name="atLeast"/> consecutive failed verifications.</summary>
    public Task<IReadOnlyList<VerifyFailures>> ListLockoutsAsync(string tenantId, string applicationId, int atLeast, CancellationToken cancellationToken) =>
        store.ListVerifyFailuresAsync(tenantId, applicationId, atLeast, cancellationToken);

    /// <summary>Lifts a destination's lockout (an operator's decision after checking with its owner).</summary>
    public Task<bool> ClearLockoutAsync(string tenantId, string applicationId, string destination, CancellationToken cancellationToken) =>
        store.ClearVerifyFailuresAsync(tenantId, applicationId, destination, cancellationToken);

    public Task<IReadOnlyList<RuleEvent>> ListEventsAsync(string tenantId, string applicationId, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        store.ListRuleEventsAsync(tenantId, applicationId, since, limit, cancellationToken);

    public Task<IReadOnlyList<GuardBlock>> ListBlocksAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        store.ListGuardBlocksAsync(tenantId, applicationId, time.GetUtcNow(), cancellationToken);

    /// <summary>Reads the count only in NIST mode: every other send pays nothing for it.</summary>
    private async Task<RuleHit?> LockoutAsync(ProtectionPolicy policy, string applicationId, string destination, CancellationToken cancellationToken) =>
        policy.Nist && await store.GetVerifyFailuresAsync(applicationId, destination, cancellationToken) is var failures and >= NistMode.MaxConsecutiveFailures
            ? LockoutHit(failures)
            : null;

    private static string LockoutText(int failures) =>
        $"Destination has failed verification {failures} times in a row; NIST SP 800-63B mode locks it out until an administrator clears the lockout";

    private static string? ListRefuses(ListRule rule, string value) =>
        rule.Deny.Contains(value, StringComparer.Ordinal) ? "is on the application's deny list"
        : rule.Allow.Count > 0 && !rule.Allow.Contains(value, StringComparer.Ordinal) ? "is not on the application's allow list"
        : null;

    /// <summary>
    /// A cap is counted atomically with the send. In enforce mode the store refuses beyond it;
    /// in monitor mode it is counted without a limit, and a send beyond it is recorded as a hit.
    /// </summary>
    private async Task AddCapAsync(CapRule rule, string? limitText, string what, string value, string applicationId, DateTimeOffset now, List<LimitCheck> caps, List<RuleHit> hits, CancellationToken cancellationToken)
    {
        if (limitText is null)
        {
            return;
        }

        RateLimit limit = RateLimit.Parse(limitText, DurationFormat.OneYear);
        string key = CapKey(applicationId, what, value);
        string setting = $"caps.per{char.ToUpperInvariant(what[0])}{what[1..]}";
        if (rule.Mode == RuleModes.Enforce)
        {
            caps.Add(new LimitCheck(key, limit, setting, $"{limitText} for {(what == "country" ? value : "+" + value)}"));
            return;
        }

        caps.Add(new LimitCheck(key, new RateLimit(int.MaxValue, limit.Window), setting, limitText));
        if (await store.CountLimitEventsAsync(key, now - limit.Window, cancellationToken) >= limit.Count)
        {
            hits.Add(new RuleHit(setting, RuleModes.Monitor, $"Sends to {(what == "country" ? value : "+" + value)} are over the cap {limitText}"));
        }
    }

    private async Task<RuleHit?> GuardAsync(string tenantId, string applicationId, string destination, GuardRule guard, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string prefix = destination[..Math.Min(guard.PrefixDigits, destination.Length)];
        GuardBlock? block = await store.GetGuardBlockAsync(tenantId, applicationId, prefix, now, cancellationToken);
        if (block is null && ShouldEvaluate(tenantId, applicationId, prefix, now))
        {
            block = await EvaluateAsync(tenantId, applicationId, prefix, guard, now, cancellationToken);
        }

        return block is null
            ? null
            : new RuleHit("guard", guard.Mode, $"Prefix +{prefix} is blocked by the pumping guard until {block.Until.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}: {block.Reason}");
    }

    private bool ShouldEvaluate(string tenantId, string applicationId, string prefix, DateTimeOffset now)
    {
        var key = (tenantId, applicationId, prefix);
        if (_guardEvaluated.TryGetValue(key, out DateTimeOffset last) && now - last < GuardEvaluationInterval)
        {
            return false;
        }

        _guardEvaluated[key] = now;
        if (_guardEvaluated.Count > 50_000)
        {
            _guardEvaluated.Clear();
        }

        return true;
    }

    private async Task<GuardBlock?> EvaluateAsync(string tenantId, string applicationId, string prefix, GuardRule guard, DateTimeOffset now, CancellationToken cancellationToken)
    {
        TimeSpan window = DurationParse(guard.Window);
        DateTimeOffset recentSince = now - window;
        PrefixStats stats = await store.GetPrefixStatsAsync(tenantId, applicationId, prefix, recentSince, recentSince - DurationParse(guard.BaselineWindow), cancellationToken);
        if (stats.RecentPrefixSends < guard.MinimumSends)
        {
            return null;
        }

        double share = stats.RecentPrefixSends / (double)Math.Max(1, stats.RecentSends);
        double baseline = Math.Max(guard.BaselineFloor, stats.BaselinePrefixSends / (double)Math.Max(1, stats.BaselineSends));
        double conversion = stats.RecentPrefixVerified / (double)stats.RecentPrefixSends;
        if (share < guard.JumpRatio * baseline || conversion >= guard.ConversionFloor)
        {
            return null;
        }

        string reason = string.Create(CultureInfo.InvariantCulture,
            $"{stats.RecentPrefixSends} sends in {guard.Window} ({share:P0} of the application's, baseline {baseline:P1}), {conversion:P0} verified");
        var block = new GuardBlock(tenantId, applicationId, prefix, now, now + DurationParse(guard.CoolDown), reason);
        await store.SetGuardBlockAsync(block, cancellationToken);
        Log.PrefixBlocked(logger, applicationId, prefix, guard.Mode, reason);
        return block;
    }

    private async Task RecordAsync(string tenantId, string applicationId, RuleHit hit, string country, string destination, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string prefix = destination[..Math.Min(6, destination.Length)];
        await store.RecordRuleEventAsync(new RuleEvent(0, tenantId, applicationId, hit.Rule, hit.Mode, country, prefix, now), cancellationToken);
        Log.RuleHit(logger, applicationId, hit.Rule, hit.Mode, country, Destinations.Mask(destination));
    }

    private static TimeSpan DurationParse(string text) =>
        DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error) ? value : throw new FormatException(error);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Protection rule {Rule} ({Mode}) hit a send of application {ApplicationId} to {Country} {Destination}")]
        public static partial void RuleHit(ILogger logger, string applicationId, string rule, string mode, string country, string destination);

        [LoggerMessage(2, LogLevel.Warning, "Pumping guard ({Mode}) blocked prefix +{Prefix} of application {ApplicationId}: {Reason}")]
        public static partial void PrefixBlocked(ILogger logger, string applicationId, string prefix, string mode, string reason);
    }
}
