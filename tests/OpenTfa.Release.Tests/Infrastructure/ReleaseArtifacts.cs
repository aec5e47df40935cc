using System.Runtime.Versioning;
using System.Xml.Linq;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

// The release is built for linux-x64, with Debian's tools.
[assembly: SupportedOSPlatform("linux")]

namespace OpenTfa.Release.Tests.Infrastructure;

/// <summary>The release, built once for every test of the collection: it takes a self-contained publish.</summary>
[CollectionDefinition(Name)]
public sealed class ReleaseCollection : ICollectionFixture<ReleaseArtifacts>
{
    public const string Name = "Release";
}

/// <summary>
/// Runs <c>release/build.sh</c> into a temporary folder and unpacks its archive there, as a
/// person installing OpenTfa would; everything is deleted at the end.
/// </summary>
public sealed class ReleaseArtifacts : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    private readonly string _scratch = Directory.CreateTempSubdirectory("opentfa-release-").FullName;

    public ReleaseArtifacts()
    {
        RepositoryRoot = Repository.Root;
        Version = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"))
            .Descendants("Version").Single().Value;
    }

    public string RepositoryRoot { get; }

    /// <summary>The one version, from Directory.Build.props.</summary>
    public string Version { get; }

    /// <summary>The version every assembly reports: the version and, when git knows it, the commit.</summary>
    public string InformationalVersion { get; private set; } = "";

    public string ArchivePath { get; private set; } = "";

    public string PackagePath { get; private set; } = "";

    /// <summary>The folder the archive unpacked into (<c>opentfa-&lt;version&gt;-linux-x64</c>).</summary>
    public string UnpackedArchive { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Tool.Require("dpkg-deb", "dpkg-dev");
        Tool.Require("lintian", "lintian");
        Tool.Require("strip", "binutils");

        string output = Path.Combine(_scratch, "out");
        ProgramResult build = await Tool.RunAsync(Path.Combine(RepositoryRoot, "release", "build.sh"), [output], BuildTimeout, RepositoryRoot);
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"release/build.sh failed: {build}");
        }

        ArchivePath = Path.Combine(output, $"opentfa-{Version}-linux-x64.tar.gz");
        PackagePath = Path.Combine(output, $"opentfa_{Version.Replace('-', '~')}_amd64.deb");
        foreach (string artifact in new[] { ArchivePath, PackagePath })
        {
            if (!File.Exists(artifact))
            {
                throw new InvalidOperationException($"release/build.sh did not produce {artifact}: {build}");
            }
        }

        string unpacked = Path.Combine(_scratch, "unpacked");
        Directory.CreateDirectory(unpacked);
        ProgramResult untar = await Tool.RunAsync("tar", ["-xzf", ArchivePath, "-C", unpacked], TimeSpan.FromMinutes(2));
        Assert.True(untar.ExitCode == 0, untar.ToString());
        UnpackedArchive = Path.Combine(unpacked, $"opentfa-{Version}-linux-x64");

        ProgramResult head = await Tool.RunAsync("git", ["rev-parse", "HEAD"], TimeSpan.FromSeconds(30), RepositoryRoot);
        InformationalVersion = head.ExitCode == 0 ? $"{Version}+{head.Stdout.Trim()}" : Version;
    }

    /// <summary>A new empty folder under the release's scratch folder, deleted with it.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_scratch, $"{name}-{Guid.NewGuid():N}")).FullName;

    public Task DisposeAsync()
    {
        Directory.Delete(_scratch, recursive: true);
        return Task.CompletedTask;
    }
}
