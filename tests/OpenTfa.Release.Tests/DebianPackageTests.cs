using OpenTfa.Release.Tests.Infrastructure;

namespace OpenTfa.Release.Tests;

/// <summary>The Debian package: what lintian says of it, what it installs where, and how it installs it.</summary>
[Collection(ReleaseCollection.Name)]
public sealed class DebianPackageTests(ReleaseArtifacts release)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Package_Lintian_ReportsNoErrors()
    {
        ProgramResult lintian = await Tool.RunAsync("lintian", [release.PackagePath], ToolTimeout);

        string[] errors = lintian.Stdout.Split('\n').Where(line => line.StartsWith("E:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 0, string.Join('\n', errors));
        Assert.True(lintian.ExitCode == 0, lintian.ToString());
    }

    [Fact]
    public async Task Package_Contents_InstallTheServiceUnderUsrLibWithSettingsInEtc()
    {
        ProgramResult contents = await Tool.RunAsync("dpkg-deb", ["--contents", release.PackagePath], ToolTimeout);
        Assert.True(contents.ExitCode == 0, contents.ToString());
        // "-rwxr-xr-x root/root 78256 2026-12-03 06:50 ./usr/lib/opentfa/OpenTfa.Server": mode, owner and path.
        Dictionary<string, (string Mode, string Owner)> entries = contents.Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(fields => fields[5], fields => (fields[0], fields[1]));

        Assert.All(entries, entry => Assert.Equal("root/root", entry.Value.Owner));
        Assert.Equal("-rwxr-xr-x", entries["./usr/lib/opentfa/OpenTfa.Server"].Mode);
        Assert.Equal("-rwxr-xr-x", entries["./usr/lib/opentfa/opentfa"].Mode);
        Assert.Contains("./usr/lib/opentfa/OpenTfa.Server.dll", entries.Keys);
        Assert.Contains("./usr/lib/opentfa/libe_sqlite3.so", entries.Keys);
        Assert.Contains("./usr/bin/opentfa -> ../lib/opentfa/opentfa", entries.Keys);
        Assert.Contains("./usr/lib/opentfa/appsettings.json -> /etc/opentfa/appsettings.json", entries.Keys);
        Assert.Equal("-rw-r--r--", entries["./etc/opentfa/appsettings.json"].Mode);
        Assert.Contains("./lib/systemd/system/opentfa.service", entries.Keys);
        Assert.Contains("./usr/share/doc/opentfa/copyright", entries.Keys);
        Assert.Contains("./usr/share/doc/opentfa/changelog.gz", entries.Keys);
        Assert.DoesNotContain(entries.Keys, path => path.StartsWith("./var/", StringComparison.Ordinal) || path.StartsWith("./opt/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Package_Control_DeclaresVersionSettingsAsConffilesAndTheServiceUser()
    {
        ProgramResult fields = await Tool.RunAsync("dpkg-deb", ["--field", release.PackagePath, "Package", "Version", "Architecture"], ToolTimeout);
        Assert.Equal($"Package: opentfa\nVersion: {release.Version.Replace('-', '~')}\nArchitecture: amd64", fields.Stdout.Trim());

        string control = release.NewFolder("control");
        ProgramResult extract = await Tool.RunAsync("dpkg-deb", ["--control", release.PackagePath, control], ToolTimeout);
        Assert.True(extract.ExitCode == 0, extract.ToString());
        Assert.Equal("/etc/opentfa/appsettings.json", File.ReadAllText(Path.Combine(control, "conffiles")).Trim());
        foreach (string script in new[] { "postinst", "prerm", "postrm" })
        {
            ProgramResult syntax = await Tool.RunAsync("sh", ["-n", Path.Combine(control, script)], ToolTimeout);
            Assert.True(syntax.ExitCode == 0, syntax.ToString());
        }

        string postinst = File.ReadAllText(Path.Combine(control, "postinst"));
        Assert.Contains("adduser --system --group", postinst);
        Assert.Contains("install -d -m 0700 /var/lib/opentfa", postinst);
        // A container or chroot without systemd gets the files, never a start attempt.
        Assert.Contains("if [ -d /run/systemd/system ]; then", postinst);
    }
}
