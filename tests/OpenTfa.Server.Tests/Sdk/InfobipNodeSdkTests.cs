using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Sdk;

/// <summary>
/// The seed's flow driven by Infobip's official Node.js SDK (npm @infobip-api/sdk 0.3.2), a
/// client no one on the team wrote, against the real server over HTTP.
/// </summary>
public sealed class InfobipNodeSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string DriverDirectory = Path.Combine(Repository.Root, "tests", "sdk", "infobip-node");

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

        ProgramResult run = await PeerProcess.RunAsync(
            new ProgramStart("node", args) { WorkingDirectory = DriverDirectory, MissingHint = NodePeer.NodeHint },
            TimeSpan.FromSeconds(90));
        return (run.ExitCode, run.Output);
    }
}
