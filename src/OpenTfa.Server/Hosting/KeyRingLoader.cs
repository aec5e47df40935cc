using OpenTfa.Core.Security;

namespace OpenTfa.Server.Hosting;

/// <summary>Loads the PIN encryption key ring, creating a key file in the data folder on first start.</summary>
internal static class KeyRingLoader
{
    public const string DefaultFileName = "opentfa.key";

    public static EncryptionKeyRing Load(EncryptionOptions options, string dataDirectory)
    {
        if (!string.IsNullOrEmpty(options.Key))
        {
            return EncryptionKeyRing.Parse(options.Key, "OpenTfa:Encryption:Key");
        }

        string path = Path.GetFullPath(options.KeyFile ?? Path.Combine(dataDirectory, DefaultFileName));
        if (!File.Exists(path))
        {
            if (options.KeyFile is not null)
            {
                throw new InvalidOperationException($"OpenTfa:Encryption:KeyFile points at '{path}', which does not exist.");
            }

            var created = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                created.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, created);
            writer.WriteLine("# OpenTfa PIN encryption keys: id:base64key, active key first. Keep a copy; without it stored PINs cannot be read.");
            writer.WriteLine(EncryptionKeyRing.NewKeyLine("k1"));
        }

        RefuseIfShared(path);
        return EncryptionKeyRing.Parse(File.ReadAllText(path), $"OpenTfa:Encryption:KeyFile ({path})");
    }

    /// <summary>Whoever can read the key file can read every stored PIN: it must be its owner's alone.</summary>
    private static void RefuseIfShared(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & Others) != 0)
        {
            throw new InvalidOperationException(
                $"The PIN key file '{path}' can be read or changed by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); "
                + $"make it private to the user OpenTfa runs as: chmod 600 '{path}'");
        }
    }

    /// <summary>True when the key file sits in the same folder as the database (fine for development, not for production).</summary>
    public static bool BesideDatabase(EncryptionOptions options, string dataDirectory) =>
        string.IsNullOrEmpty(options.Key)
        && string.Equals(Path.GetDirectoryName(Path.GetFullPath(options.KeyFile ?? Path.Combine(dataDirectory, DefaultFileName))), Path.GetFullPath(dataDirectory).TrimEnd('/'), StringComparison.Ordinal);
}
