using System.Security.Cryptography;

namespace OpenTfa.Core.Pins;

/// <summary>Identifiers on the wire: 32 upper-case hex characters from a CSPRNG.</summary>
public static class Ids
{
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
