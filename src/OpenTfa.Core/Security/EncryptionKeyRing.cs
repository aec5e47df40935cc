using System.Security.Cryptography;

namespace OpenTfa.Core.Security;

public sealed record EncryptionKey(string Id, byte[] Key);

/// <summary>
/// The keys that seal secrets at rest, read from a key file with one <c>id:base64key</c> per
/// line; the first line is the active key, later lines are older keys kept for reading.
/// </summary>
public sealed class EncryptionKeyRing
{
    public EncryptionKeyRing(IReadOnlyList<EncryptionKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("A key ring needs at least one key.", nameof(keys));
        }

        Keys = keys;
    }

    public IReadOnlyList<EncryptionKey> Keys { get; }

    public string ActiveKeyId => Keys[0].Id;

    public static EncryptionKeyRing Parse(string text, string source)
    {
        var keys = new List<EncryptionKey>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            byte[] key;
            try
            {
                key = Convert.FromBase64String(colon > 0 ? line[(colon + 1)..] : string.Empty);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{source}: each line must be 'id:base64-key' (the key itself is not shown).");
            }

            if (colon <= 0 || key.Length != 32)
            {
                throw new InvalidOperationException($"{source}: each line must be 'id:base64-key' with a 256-bit key (the key itself is not shown).");
            }

            string id = line[..colon];
            if (keys.Any(k => k.Id == id))
            {
                throw new InvalidOperationException($"{source}: the key id '{id}' appears twice (the key itself is not shown).");
            }

            keys.Add(new EncryptionKey(id, key));
        }

        return keys.Count == 0 ? throw new InvalidOperationException($"{source} holds no key.") : new EncryptionKeyRing(keys);
    }

    public static string NewKeyLine(string id) => $"{id}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
}
