using System.Security.Cryptography;

namespace OpenTfa.Core.Pins;

public static class PinGenerator
{
    /// <summary>A PIN drawn uniformly from the type's alphabet (no modulo bias) by the OS CSPRNG.</summary>
    public static string Generate(PinType type, int length) =>
        RandomNumberGenerator.GetString(PinTypes.Alphabet(type), length);
}
