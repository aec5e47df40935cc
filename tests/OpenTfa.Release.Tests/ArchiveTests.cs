using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OpenTfa.Release.Tests.Infrastructure;

namespace OpenTfa.Release.Tests;

/// <summary>The linux-x64 archive, unpacked as a person would and run from where it landed.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class ArchiveTests(ReleaseArtifacts release)
{
    [Fact]
    public async Task Archive_UnpackedServer_AnswersLivenessAndStopsOnSigterm()
    {
        string workingDirectory = release.NewFolder("run");
        string data = Path.Combine(release.NewFolder("data"), "opentfa");
        await using UnpackedServer server = await UnpackedServer.StartAsync(
            Path.Combine(release.UnpackedArchive, "OpenTfa.Server"), workingDirectory, data);

        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using HttpResponseMessage live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.True(live.StatusCode == HttpStatusCode.OK, $"{live.StatusCode}: {server.Output}");
        Assert.Equal("""{"status":"live"}""", await live.Content.ReadAsStringAsync());
        Assert.True(File.Exists(Path.Combine(data, "opentfa.db")), $"no database in the data folder given: {server.Output}");
        Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Archive_HoldsBothProgramsSettingsUnitAndLicence()
    {
        string root = release.UnpackedArchive;
        foreach (string program in new[] { "OpenTfa.Server", "opentfa" })
        {
            Assert.True(File.GetUnixFileMode(Path.Combine(root, program)).HasFlag(UnixFileMode.UserExecute), $"{program} is not executable");
        }

        foreach (string file in new[] { "appsettings.json", "appsettings.sample.json", "opentfa.service", "LICENSE", "COPYRIGHT", "README.md", "CHANGELOG.md" })
        {
            Assert.True(File.Exists(Path.Combine(root, file)), $"{file} is missing from the archive");
        }

        Assert.Contains("Apache License", File.ReadAllText(Path.Combine(root, "LICENSE")));
        Assert.Contains($"## {release.Version} ", File.ReadAllText(Path.Combine(root, "CHANGELOG.md")));
        Assert.Contains("ExecStart=/opt/opentfa/OpenTfa.Server\n", File.ReadAllText(Path.Combine(root, "opentfa.service")));
        using JsonDocument sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "appsettings.sample.json")));
        JsonElement settings = sample.RootElement.GetProperty("OpenTfa");
        Assert.Equal("/var/lib/opentfa", settings.GetProperty("DataDirectory").GetString());
        Assert.Equal("/etc/opentfa/opentfa.key", settings.GetProperty("Encryption").GetProperty("KeyFile").GetString());
    }

    [Fact]
    public async Task Archive_EveryOpenTfaAssemblyAndTheCommand_CarryTheOneVersion()
    {
        string[] assemblies = Directory.GetFiles(release.UnpackedArchive, "*.dll")
            .Where(path => Path.GetFileName(path).StartsWith("OpenTfa.", StringComparison.Ordinal) || Path.GetFileName(path) == "opentfa.dll")
            .ToArray();
        Assert.True(assemblies.Length >= 10, $"only {assemblies.Length} OpenTfa assemblies in the archive");
        foreach (string assembly in assemblies)
        {
            FileVersionInfo info = FileVersionInfo.GetVersionInfo(assembly);
            Assert.True(info.ProductVersion == release.InformationalVersion, $"{Path.GetFileName(assembly)} reports {info.ProductVersion}, not {release.InformationalVersion}");
            Assert.StartsWith(release.Version.Split('-')[0] + ".", info.FileVersion, StringComparison.Ordinal);
        }

        ProgramResult version = await Tool.RunAsync(Path.Combine(release.UnpackedArchive, "opentfa"), ["--version"], TimeSpan.FromSeconds(60));
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal(release.InformationalVersion, version.Stdout.Trim());
    }
}
