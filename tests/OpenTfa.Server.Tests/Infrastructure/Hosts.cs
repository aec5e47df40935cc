using OpenTfa.Server.Hosting;

namespace OpenTfa.Server.Tests.Infrastructure;

/// <summary>Builds the server as start-up does, for tests of what start-up refuses.</summary>
public static class Hosts
{
    /// <summary>Builds the application with <paramref name="settings"/>, on a fresh data folder unless they name one.</summary>
    public static WebApplication Build(Dictionary<string, string?> settings)
    {
        settings.TryAdd("OpenTfa:DataDirectory", Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N")));
        return OpenTfaHost.Build([], b => b.Configuration.AddInMemoryCollection(settings));
    }
}
