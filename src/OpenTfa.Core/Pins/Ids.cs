using System.Security.Cryptography;

namespace OpenTfa.Core.Pins;

/// <summary>Identifiers on the wire: 32 upper-case hex characters from a CSPRNG.</summary>
public static class Ids
{
    /// <summary>The largest numeric id: 2^52, so that JavaScript clients (doubles) hold every id exactly.</summary>
    public const long MaxNumeric = 1L << 52;

    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// A numeric id (e-mail bodies, audit entries) from a CSPRNG, between 1 and <see cref="MaxNumeric"/>:
    /// unlike a counter, it tells nobody how many others exist or which ids another tenant holds.
    /// </summary>
    public static long NewNumeric() => (BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & (MaxNumeric - 1)) + 1;
}
