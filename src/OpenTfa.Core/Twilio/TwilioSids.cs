using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Core.Twilio;

/// <summary>
/// Twilio's resource ids: two letters naming the kind, then 32 lower-case hex digits. OpenTfa's
/// own ids are 32 upper-case hex digits, so a service (<c>VA</c>) is its application, a
/// verification (<c>VE</c>) its PIN, a send attempt (<c>VL</c>) its message, without a mapping
/// table. Accounts (<c>AC</c>) and API key SIDs (<c>SK</c>) derive from the tenant and key ids
/// by a hash, because those ids are not always hex (the operator tenant, a bootstrap key).
/// </summary>
public static class TwilioSids
{
    public const string ServicePrefix = "VA";
    public const string VerificationPrefix = "VE";
    public const string AttemptPrefix = "VL";
    public const string RateLimitPrefix = "RL";
    public const string BucketPrefix = "BL";

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public static string Of(string prefix, string id) => prefix + id.ToLowerInvariant();

    /// <summary>The OpenTfa id a SID stands for, or null when it is not a SID of that kind.</summary>
    public static string? IdOf(string prefix, string? sid) =>
        sid is { Length: 34 } && sid.StartsWith(prefix, StringComparison.Ordinal) && !sid.AsSpan(2).ContainsAnyExcept(Hex)
            ? sid[2..].ToUpperInvariant()
            : null;

    /// <summary>The account SID of a tenant: what a Twilio client passes as its username with an auth token.</summary>
    public static string Account(string tenantId) => Derived("AC", "account:" + tenantId);

    /// <summary>The API key SID of an OpenTfa key: the username that goes with the key as its secret.</summary>
    public static string ApiKey(string keyId) => Derived("SK", "key:" + keyId);

    private static string Derived(string prefix, string text) =>
        prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("opentfa:" + text)).AsSpan(0, 16));
}
