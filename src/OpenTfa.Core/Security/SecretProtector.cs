using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Core.Security;

/// <summary>A sealed secret: the id of the key that sealed it and nonce ‖ ciphertext ‖ tag.</summary>
public readonly record struct SealedSecret(string KeyId, byte[] Data);

/// <summary>
/// AES-256-GCM sealing of PINs and message bodies at rest. The row's id is the associated
/// data, so a sealed value copied onto another row does not open. The key ring keeps old
/// keys so that rows sealed before a rotation still open.
/// </summary>
public sealed class SecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly string _activeKeyId;

    public SecretProtector(EncryptionKeyRing ring)
    {
        _keys = ring.Keys.ToDictionary(k => k.Id, k => k.Key, StringComparer.Ordinal);
        _activeKeyId = ring.ActiveKeyId;
    }

    public SealedSecret Seal(string associatedId, string plaintext)
    {
        byte[] clear = Encoding.UTF8.GetBytes(plaintext);
        byte[] data = new byte[NonceSize + clear.Length + TagSize];
        Span<byte> nonce = data.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_activeKeyId], TagSize);
        aes.Encrypt(nonce, clear, data.AsSpan(NonceSize, clear.Length), data.AsSpan(NonceSize + clear.Length), Encoding.UTF8.GetBytes(associatedId));
        CryptographicOperations.ZeroMemory(clear);
        return new SealedSecret(_activeKeyId, data);
    }

    public string Open(string associatedId, SealedSecret sealedSecret)
    {
        if (!_keys.TryGetValue(sealedSecret.KeyId, out byte[]? key))
        {
            throw new CryptographicException($"The encryption key '{sealedSecret.KeyId}' that sealed this value is not in the key ring.");
        }

        byte[] data = sealedSecret.Data;
        if (data.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The sealed value is too short to be one.");
        }

        int length = data.Length - NonceSize - TagSize;
        byte[] clear = new byte[length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, length), data.AsSpan(NonceSize + length), clear, Encoding.UTF8.GetBytes(associatedId));
        string text = Encoding.UTF8.GetString(clear);
        CryptographicOperations.ZeroMemory(clear);
        return text;
    }

    /// <summary>Compares a candidate PIN with the sealed one in time independent of where they differ.</summary>
    public bool Matches(string associatedId, SealedSecret sealedPin, string candidate)
    {
        string pin = Open(associatedId, sealedPin);
        byte[] expected = Encoding.UTF8.GetBytes(pin);
        byte[] actual = Encoding.UTF8.GetBytes(candidate.Trim().ToUpperInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
