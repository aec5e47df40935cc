namespace OpenTfa.Core.Tenancy;

public static class Scopes
{
    public const string Manage = "2fa:manage";
    public const string PinSend = "2fa:pin:send";
    public const string Admin = "opentfa:admin";

    /// <summary>Shows full destinations where OpenTfa's own API masks them (<c>unmasked=true</c>); each use is audited.</summary>
    public const string Pii = "opentfa:pii";

    /// <summary>Reads the service's metrics and detailed readiness; counts only on a key of the operator tenant.</summary>
    public const string Metrics = "opentfa:metrics";

    public static readonly IReadOnlyList<string> All = [Manage, PinSend, Admin, Pii, Metrics];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
