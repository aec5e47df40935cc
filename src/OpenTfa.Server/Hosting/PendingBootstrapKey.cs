using System.Security.Cryptography;
using OpenTfa.Core.Security;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// A generated bootstrap key waits in the data folder, sealed with the PIN key, from before the
/// store holds it until a start has printed it after listening. A start that fails in between
/// leaves it for the next start to print, so the only admin key cannot be lost to a busy port.
/// </summary>
internal sealed class PendingBootstrapKey(string dataDirectory, SecretProtector protector)
{
    public const string FileName = "bootstrap-key.pending";

    private const string AssociatedId = "opentfa:bootstrap-key";

    private string FilePath => Path.Combine(dataDirectory, FileName);

    /// <summary>The key an earlier start generated and never showed, or null.</summary>
    public string? Read()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }

        string[] parts = File.ReadAllText(FilePath).Trim().Split(':', 2);
        try
        {
            return parts.Length == 2 ? protector.Open(AssociatedId, new SealedSecret(parts[0], Convert.FromBase64String(parts[1]))) : null;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // Sealed with a key no longer in the ring: the key cannot be shown; a new one is generated.
            return null;
        }
    }

    public void Write(string key)
    {
        SealedSecret sealedKey = protector.Seal(AssociatedId, key);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(FilePath, System.Text.Encoding.ASCII, options))
        {
            writer.Write($"{sealedKey.KeyId}:{Convert.ToBase64String(sealedKey.Data)}");
        }
    }

    public void Delete() => File.Delete(FilePath);
}
