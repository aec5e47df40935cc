namespace OpenTfa.Console.Tests;

/// <summary>The assets the server ships are exactly what console/ builds from its sources and locked packages.</summary>
public sealed class ConsoleAssetsTests
{
    [Fact]
    public void WebhookPage_OffersEveryEventTheServerPublishes()
    {
        string page = File.ReadAllText(Path.Combine(Repository.Folder("console/src/pages", "webhooks.js"), "webhooks.js"));
        System.Text.RegularExpressions.Match list = System.Text.RegularExpressions.Regex.Match(page, @"const eventTypes = \[(?<items>[^\]]*)\];");

        Assert.True(list.Success, "console/src/pages/webhooks.js no longer declares eventTypes");
        string[] offered = System.Text.RegularExpressions.Regex.Matches(list.Groups["items"].Value, "'([^']+)'").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(OpenTfa.Core.Observability.EventTypes.All.Order(StringComparer.Ordinal), offered.Order(StringComparer.Ordinal));
    }

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
