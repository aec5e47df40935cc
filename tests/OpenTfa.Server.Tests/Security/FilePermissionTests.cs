using System.Runtime.Versioning;
using OpenTfa.Server.Hosting;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Security;

/// <summary>The data folder, the database with its WAL, and the PIN key are their owner's alone.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class FilePermissionTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task FirstStart_CreatesAPrivateDataFolder_DatabaseWalAndKey()
    {
        string root = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        string data = Path.Combine(root, "data");
        try
        {
            await using (TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:DataDirectory"] = data }))
            {
                await server.Client().CreateAppAndTemplateAsync();

                Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, "opentfa.db")));
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, "opentfa.db-wal")));
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, "opentfa.db-shm")));
                Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(data, KeyRingLoader.DefaultFileName)));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task ExistingDatabaseReadableByOthers_IsMadePrivateAtStart()
    {
        string data = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using (TestServer first = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:DataDirectory"] = data }))
            {
                await first.Client().CreateApplicationAsync();
            }

            string db = Path.Combine(data, "opentfa.db");
            File.SetUnixFileMode(db, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            await using TestServer second = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:DataDirectory"] = data });

            Assert.Equal(OwnerOnly, File.GetUnixFileMode(db));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void KeyFileReadableByOthers_RefusesToStart_SayingHowToFixIt()
    {
        string data = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        string keyFile = Path.Combine(data, "shared.key");
        File.WriteAllText(keyFile, $"k1:{Convert.ToBase64String(new byte[32])}\n");
        File.SetUnixFileMode(keyFile, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(new Dictionary<string, string?>
            {
                ["OpenTfa:DataDirectory"] = data,
                ["OpenTfa:Encryption:KeyFile"] = keyFile,
            }));

            Assert.Contains($"The PIN key file '{keyFile}' can be read or changed by other users (mode 0644)", ex.Message, StringComparison.Ordinal);
            Assert.Contains($"chmod 600 '{keyFile}'", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
