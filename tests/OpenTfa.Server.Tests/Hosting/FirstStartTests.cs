using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Hosting;

/// <summary>The server as a new operator starts it: a real process, no configuration, an empty data folder.</summary>
public sealed partial class FirstStartTests
{
    [GeneratedRegex(@"Bootstrap API key \(all scopes; shown only now\): (otf_\S+)")]
    private static partial Regex KeyLine();

    [Fact]
    public async Task FirstStart_WithoutConfiguration_PrintsAGeneratedKeyOnce_AndDataLandsInTheWorkingDirectory()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-first-start", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            string key;
            await using (ServerProcess first = await ServerProcess.StartAsync(workingDirectory))
            {
                Match match = await first.WaitForOutputAsync(KeyLine());
                Assert.True(match.Success, first.Output);
                key = match.Groups[1].Value;
                Assert.Contains("DEVELOPMENT DELIVERY", first.Output);

                using var client = TestServer.ClientFor(first.BaseAddress, key: null);
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
                Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/2fa/2/applications")).Status);
            }

            Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "opentfa.db")));
            Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "opentfa.key")));

            await using ServerProcess second = await ServerProcess.StartAsync(workingDirectory);
            Assert.DoesNotContain("Bootstrap API key", second.Output);
            using var again = TestServer.ClientFor(second.BaseAddress, key: null);
            again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
            Assert.Equal(HttpStatusCode.OK, (await again.GetJsonAsync("/2fa/2/applications")).Status);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task BadConfiguration_RefusesToStart_NamingTheSetting()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-first-start", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            ProgramResult run = await ServerProcess.RunToExitAsync(workingDirectory, new Dictionary<string, string> { ["OpenTfa__Storage__Provider"] = "oracle", ["OpenTfa__BootstrapApiKey"] = "short" });
            string output = run.Output;
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("OpenTfa:Storage:Provider must be sqlite or postgres, was 'oracle'", output);
            Assert.Contains("OpenTfa:BootstrapApiKey must be at least 32 characters", output);
            Assert.DoesNotContain("short", output.Replace("shown", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}
