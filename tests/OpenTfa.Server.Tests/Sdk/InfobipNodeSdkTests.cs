using System.Diagnostics;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Sdk;

/// <summary>
/// The seed's flow driven by Infobip's official Node.js SDK (npm @infobip-api/sdk 0.3.2), a
/// client no one on the team wrote, against the real server over HTTP.
/// </summary>
public sealed class InfobipNodeSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string DriverDirectory = Path.Combine(RepositoryRoot(), "tests", "sdk", "infobip-node");

    [Theory]
    [InlineData("true")]
    [InlineData("omit")]
    public async Task SeedFlow_WithInfobipNodeSdk_EveryStepPasses(string ncNeeded)
    {
        TestServer server = fixture.Server;
        string to = ncNeeded == "omit" ? "41793026700" : "41793026727";
        (int exit, string output) = await RunNodeAsync(
            "seed-flow.mjs", "--base-url", server.BaseAddress.ToString(), "--api-key", TestServer.BootstrapKey,
            "--pin-file", server.Deliveries.MirrorPath, "--to", to, "--nc-needed", ncNeeded);

        Assert.True(exit == 0, output);
        Assert.Contains("ok verify-pin", output);
        Assert.Contains("ok verification-status", output);
        Assert.Contains("\"failed\":0", output);
    }

    private static async Task<(int Exit, string Output)> RunNodeAsync(params string[] args)
    {
        if (!Directory.Exists(Path.Combine(DriverDirectory, "node_modules", "@infobip-api", "sdk")))
        {
            Assert.Fail($"The Infobip Node.js SDK is not installed in {DriverDirectory}: run ./test.sh (it runs npm ci there).");
        }

        var start = new ProcessStartInfo("node") { WorkingDirectory = DriverDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"Node.js is needed to run Infobip's Node.js SDK and could not be started ({ex.Message}): run ./test.sh, which installs it.");
            throw;
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout + await stderr);
        }
    }

    private static string RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "OpenTfa.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Cannot find the repository root (OpenTfa.slnx) above " + AppContext.BaseDirectory);
    }
}
