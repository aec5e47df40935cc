using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Tests.Sdk;

/// <summary>
/// Twilio's Verify v2 quickstart and its error paths driven by Twilio's official Node.js library
/// (npm twilio 6.2.0), a client no one on the team wrote, against the real server over HTTP.
/// </summary>
public sealed class TwilioNodeSdkTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string DriverDirectory = Path.Combine(Repository.Root, "tests", "sdk", "twilio-node");

    [Fact]
    public async Task Quickstart_WithTwilioNodeLibrary_EveryStepPasses()
    {
        TestServer server = fixture.Server;
        (int exit, string output) = await RunNodeAsync(
            "quickstart.mjs", "--base-url", server.BaseAddress.ToString(),
            "--account-sid", TwilioSids.Account(Tenant.OperatorId), "--auth-token", TestServer.BootstrapKey,
            "--pin-file", server.Deliveries.MirrorPath);

        Assert.True(exit == 0, output);
        Assert.Contains("ok delete-service", output);
        Assert.Contains("\"failed\":0", output);
    }

    private static async Task<(int Exit, string Output)> RunNodeAsync(params string[] args)
    {
        if (!File.Exists(Path.Combine(DriverDirectory, "node_modules", "twilio", "package.json")))
        {
            Assert.Fail($"Twilio's Node.js library is not installed in {DriverDirectory}: run ./test.sh (it runs npm ci there).");
        }

        ProgramResult run = await PeerProcess.RunAsync(
            new ProgramStart("node", args) { WorkingDirectory = DriverDirectory, MissingHint = NodePeer.NodeHint },
            TimeSpan.FromSeconds(120));
        return (run.ExitCode, run.Output);
    }
}
