namespace OpenTfa.Console.Tests;

/// <summary>The assets the server ships are exactly what console/ builds from its sources and locked packages.</summary>
public sealed class ConsoleAssetsTests
{
    [Fact]
    public async Task ShippedAssets_AreWhatTheSourcesBuild()
    {
        string sources = Repository.Folder("console", "build.mjs");
        string shipped = Repository.Folder("src/OpenTfa.Server/WebConsole/assets", "index.html");
        string built = Path.Combine(Path.GetTempPath(), "opentfa-console-build", Guid.NewGuid().ToString("N"));
        await NodePeer.EnsureInstalledAsync(sources, "esbuild", "chart.js");
        try
        {
            await PeerProcess.RunCheckedAsync(new ProgramStart("node", ["build.mjs", built]) { WorkingDirectory = sources, MissingHint = NodePeer.NodeHint }, TimeSpan.FromMinutes(2));

            string[] names = Directory.GetFiles(built).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
            Assert.Equal(["console.css", "console.js", "favicon.svg", "index.html"], names);
            Assert.Equal(names, Directory.GetFiles(shipped).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
            foreach (string name in names)
            {
                byte[] expected = await File.ReadAllBytesAsync(Path.Combine(built, name));
                byte[] actual = await File.ReadAllBytesAsync(Path.Combine(shipped, name));
                Assert.True(
                    expected.SequenceEqual(actual),
                    $"src/OpenTfa.Server/WebConsole/assets/{name} is not what console/ builds; run `npm run build` in console/ and commit the result.");
            }
        }
        finally
        {
            Directory.Delete(built, recursive: true);
        }
    }
}
