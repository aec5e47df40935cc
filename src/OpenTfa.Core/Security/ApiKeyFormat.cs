using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Core.Security;

/// <summary>
/// API keys look like <c>otf_&lt;keyId&gt;_&lt;secret&gt;</c>: a random public id to look the key
/// up by, and 256 bits of secret. Only the SHA-256 of the whole key is stored; a key with this
/// much entropy needs no slow password hash. A key id never derives from the key itself, so
/// showing it (as an audit entry's <c>actorKeyId</c>) tells nothing about the secret.
/// </summary>
public static class ApiKeyFormat
{
    /// <summary>The id of the one key an operator may choose freely: the bootstrap key.</summary>
    public const string OperatorChosenKeyId = "bootstrap";

    /// <summary>The shortest bootstrap key an operator may choose.</summary>
    public const int MinOperatorChosenLength = 32;

    private const string Prefix = "otf_";

    public static (string KeyId, string Key) Generate()
    {
        string keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        string secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>
    /// The id a key is looked up by: the id part of a generated key, or, for any other
    /// text, <see cref="OperatorChosenKeyId"/>.
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

        return OperatorChosenKeyId;
    }

    /// <summary>
    /// The id under which releases before random ids stored an operator-chosen key (the first
    /// 16 hex digits of its hash); such a key is still found, and its id should be retired by
    /// creating a new key and revoking the old one.
    /// </summary>
    public static string LegacyKeyIdOf(string key) => Convert.ToHexString(Hash(key), 0, 8).ToLowerInvariant();

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool HashMatches(string key, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
