namespace OpenTfa.Console.Tests;

/// <summary>One browser for the whole collection (each test opens its own context, so cookies never leak between tests).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public Browser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: docs/images/console when OPENTFA_WRITE_SCREENSHOTS=1 (to refresh the docs), else a temporary folder.</summary>
    public string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("OPENTFA_WRITE_SCREENSHOTS") == "1"
        ? Path.Combine(Repository.Root, "docs", "images", "console")
        : Path.Combine(Path.GetTempPath(), "opentfa-console-screenshots");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotFolder);
        Browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync() => await Browser.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
