using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Delivery.Http.Callbacks;

/// <summary>
/// Keys derived per channel and purpose from one secret: a message token (HMAC) that a
/// callback URL carries to prove it was issued by this channel, and sealed state (AES-GCM)
/// that a provider hands back on a later callback, so that any node can answer it.
/// </summary>
internal sealed class CallbackTokens
{
    private readonly byte[] _macKey;
    private readonly byte[] _sealKey;

    public CallbackTokens(string secret, string channel)
    {
        byte[] ikm = Encoding.UTF8.GetBytes(secret);
        _macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, info: Encoding.UTF8.GetBytes("opentfa callback token " + channel));
        _sealKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 32, info: Encoding.UTF8.GetBytes("opentfa callback state " + channel));
    }

    /// <summary>128 bits of HMAC-SHA256 over the message id, as lower-case hex.</summary>
    public string Token(string messageId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes(messageId)).AsSpan(0, 16));

    public bool Verify(string messageId, string? token)
    {
        if (token is null)
        {
            return false;
        }

        byte[] expected = Encoding.ASCII.GetBytes(Token(messageId));
        byte[] given = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Encrypts and authenticates <paramref name="plain"/>; URL-safe base64.</summary>
    public string Seal(byte[] plain)
    {
        byte[] output = new byte[12 + plain.Length + 16];
        Span<byte> nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_sealKey, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(12, plain.Length), output.AsSpan(12 + plain.Length, 16));
        return Base64UrlEncode(output);
    }

    public byte[]? Open(string? sealedText)
    {
        if (sealedText is null || Base64UrlDecode(sealedText) is not { Length: > 28 } data)
        {
            return null;
        }

        byte[] plain = new byte[data.Length - 28];
        try
        {
            using var aes = new AesGcm(_sealKey, 16);
            aes.Decrypt(data.AsSpan(0, 12), data.AsSpan(12, plain.Length), data.AsSpan(12 + plain.Length, 16), plain);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    internal static string Base64UrlEncode(ReadOnlySpan<byte> data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static byte[]? Base64UrlDecode(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
