using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Core.Security;

/// <summary>
/// API keys look like <c>otf_&lt;keyId&gt;_&lt;secret&gt;</c>: a public id to look the key up by,
/// and 256 bits of secret. Only the SHA-256 of the whole key is stored; a key with this much
/// entropy needs no slow password hash.
/// </summary>
public static class ApiKeyFormat
{
    private const string Prefix = "otf_";

    public static (string KeyId, string Key) Generate()
    {
        string keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>
    /// The id a key is looked up by: the id part of a generated key, or, for a key an
    /// operator chose (the bootstrap key), the first 16 hex digits of its hash.
    /// </summary>
    public static string KeyIdOf(string key)
    {
        if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length + 17 && key[Prefix.Length + 16] == '_')
        {
            string id = key.Substring(Prefix.Length, 16);
            if (id.All(char.IsAsciiHexDigitLower))
            {
                return id;
            }
        }

        return Convert.ToHexString(Hash(key), 0, 8).ToLowerInvariant();
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool HashMatches(string key, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
