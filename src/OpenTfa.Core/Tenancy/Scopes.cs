namespace OpenTfa.Core.Tenancy;

public static class Scopes
{
    public const string Manage = "2fa:manage";
    public const string PinSend = "2fa:pin:send";
    public const string Admin = "opentfa:admin";

    public static readonly IReadOnlyList<string> All = [Manage, PinSend, Admin];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}
