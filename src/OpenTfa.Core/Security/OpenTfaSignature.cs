using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Core.Security;

/// <summary>
/// The one signature scheme of everything OpenTfa signs (webhooks included):
/// <c>OpenTfa-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, t + "." + body)&gt;</c>.
/// Receivers recompute it over the raw body and reject a <c>t</c> older than five minutes.
/// </summary>
public static class OpenTfaSignature
{
    public const string Header = "OpenTfa-Signature";

    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Create(string secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        string t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Compute(secret, t, body)}";
    }

    /// <summary>True when one v1 value matches and <c>t</c> is within the tolerance of <paramref name="now"/>.</summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        string? t = null;
        var signatures = new List<string>();
        foreach (string part in header.Split(','))
        {
            string[] pair = part.Trim().Split('=', 2);
            if (pair.Length == 2 && pair[0] == "t")
            {
                t = pair[1];
            }
            else if (pair.Length == 2 && pair[0] == "v1")
            {
                signatures.Add(pair[1]);
            }
        }

        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            return false;
        }

        byte[] expected = Encoding.ASCII.GetBytes(Compute(secret, t, body));
        bool match = false;
        foreach (string signature in signatures)
        {
            match |= CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(signature));
        }

        return match;
    }

    private static string Compute(string secret, string t, ReadOnlySpan<byte> body)
    {
        byte[] prefix = Encoding.UTF8.GetBytes(t + ".");
        byte[] data = new byte[prefix.Length + body.Length];
        prefix.CopyTo(data, 0);
        body.CopyTo(data.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), data));
    }
}
