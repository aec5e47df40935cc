using OpenTfa.Contracts;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Tenancy;
using CoreProtectionPolicy = OpenTfa.Core.Protection.ProtectionPolicy;
using ProtectionPolicy = OpenTfa.Contracts.ProtectionPolicy;

namespace OpenTfa.Server.Endpoints;

/// <summary>Protection policies, events, blocks and lockouts on the wire.</summary>
internal static partial class Wire
{
    /// <summary>The policy a request states; what it leaves out takes Core's default.</summary>
    public static CoreProtectionPolicy ToCore(ProtectionPolicy w)
    {
        var policy = new CoreProtectionPolicy();
        policy.Countries = ToCore(w.Countries, policy.Countries);
        policy.Prefixes = ToCore(w.Prefixes, policy.Prefixes);
        if (w.NumberTypes is { } types)
        {
            policy.NumberTypes.Refuse = types.Refuse?.ToList() ?? policy.NumberTypes.Refuse;
            policy.NumberTypes.Mode = types.Mode ?? policy.NumberTypes.Mode;
        }

        if (w.Caps is { } caps)
        {
            policy.Caps.PerCountry = caps.PerCountry;
            policy.Caps.PerPrefix = caps.PerPrefix;
            policy.Caps.PrefixDigits = caps.PrefixDigits ?? policy.Caps.PrefixDigits;
            policy.Caps.Mode = caps.Mode ?? policy.Caps.Mode;
        }

        if (w.Guard is { } g)
        {
            GuardRule guard = policy.Guard;
            guard.Enabled = g.Enabled ?? guard.Enabled;
            guard.Mode = g.Mode ?? guard.Mode;
            guard.PrefixDigits = g.PrefixDigits ?? guard.PrefixDigits;
            guard.Window = g.Window ?? guard.Window;
            guard.BaselineWindow = g.BaselineWindow ?? guard.BaselineWindow;
            guard.MinimumSends = g.MinimumSends ?? guard.MinimumSends;
            guard.JumpRatio = g.JumpRatio ?? guard.JumpRatio;
            guard.ConversionFloor = g.ConversionFloor ?? guard.ConversionFloor;
            guard.BaselineFloor = g.BaselineFloor ?? guard.BaselineFloor;
            guard.CoolDown = g.CoolDown ?? guard.CoolDown;
        }

        policy.Nist = w.Nist ?? policy.Nist;
        policy.TestNumbers = w.TestNumbers?.Select(t => new TestNumber { Number = t.Number, Pin = t.Pin, ExpiresAt = t.ExpiresAt ?? 0 }).ToList() ?? [];
        return policy;
    }

    private static ListRule ToCore(ProtectionListRule? w, ListRule defaults) => w is null ? defaults : new ListRule
    {
        Allow = w.Allow?.ToList() ?? defaults.Allow,
        Deny = w.Deny?.ToList() ?? defaults.Deny,
        Mode = w.Mode ?? defaults.Mode,
    };

    /// <summary>The whole policy to answer: test numbers masked unless <paramref name="unmasked"/>, their PINs never shown.</summary>
    public static ProtectionPolicy ToWire(CoreProtectionPolicy p, bool unmasked) => new()
    {
        Countries = ToWire(p.Countries),
        Prefixes = ToWire(p.Prefixes),
        NumberTypes = new ProtectionNumberTypeRule { Refuse = [.. p.NumberTypes.Refuse], Mode = p.NumberTypes.Mode },
        Caps = new ProtectionCapRule { PerCountry = p.Caps.PerCountry, PerPrefix = p.Caps.PerPrefix, PrefixDigits = p.Caps.PrefixDigits, Mode = p.Caps.Mode },
        Guard = new ProtectionGuardRule
        {
            Enabled = p.Guard.Enabled,
            Mode = p.Guard.Mode,
            PrefixDigits = p.Guard.PrefixDigits,
            Window = p.Guard.Window,
            BaselineWindow = p.Guard.BaselineWindow,
            MinimumSends = p.Guard.MinimumSends,
            JumpRatio = p.Guard.JumpRatio,
            ConversionFloor = p.Guard.ConversionFloor,
            BaselineFloor = p.Guard.BaselineFloor,
            CoolDown = p.Guard.CoolDown,
        },
        Nist = p.Nist,
        TestNumbers = p.TestNumbers.Select(t => new ProtectionTestNumber
        {
            Number = PiiDisclosure.Show(Destinations.CanonicalPhone(t.Number ?? string.Empty) ?? t.Number ?? string.Empty, unmasked),
            ExpiresAt = t.ExpiresAt,
        }).ToList(),
    };

    private static ProtectionListRule ToWire(ListRule r) => new() { Allow = [.. r.Allow], Deny = [.. r.Deny], Mode = r.Mode };

    public static RuleEventsResponse ToWire(IReadOnlyList<RuleEvent> events) => new()
    {
        Counts = events.GroupBy(e => (e.Rule, e.Mode))
            .Select(g => new RuleCount { Rule = g.Key.Rule, Mode = g.Key.Mode, Count = g.Count() })
            .OrderBy(c => c.Rule, StringComparer.Ordinal).ThenBy(c => c.Mode, StringComparer.Ordinal)
            .ToList(),
        Events = events.Select(e => new RuleEventResponse { Rule = e.Rule, Mode = e.Mode, Country = e.Country, Prefix = e.Prefix, At = UnixTime.Milliseconds(e.At) }).ToList(),
    };

    public static GuardBlockResponse ToWire(GuardBlock b) =>
        new() { Prefix = b.Prefix, Since = UnixTime.Milliseconds(b.Since), Until = UnixTime.Milliseconds(b.Until), Reason = b.Reason };

    public static LockoutResponse ToWire(VerifyFailures f, bool unmasked) => new()
    {
        Destination = PiiDisclosure.Show(f.Destination, unmasked),
        Failures = f.Failures,
        Locked = f.Failures >= NistMode.MaxConsecutiveFailures,
        LastFailureAt = UnixTime.Milliseconds(f.LastFailureAt),
    };
}
