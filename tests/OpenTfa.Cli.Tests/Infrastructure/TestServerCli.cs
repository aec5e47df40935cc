namespace OpenTfa.Cli.Tests.Infrastructure;

/// <summary>Runs <c>opentfa</c> as a separate process against the shared in-process test server.</summary>
public static class TestServerCli
{
    /// <summary>Runs <c>opentfa</c> with the bootstrap key in OPENTFA_API_KEY.</summary>
    public static Task<CliResult> RunAsync(this TestServer server, params string[] args) =>
        CliProcess.RunAsync(args, CliProcess.Env(server.BaseAddress.ToString(), TestServer.BootstrapKey));

    /// <summary>Runs <c>opentfa</c> with the bootstrap key and asserts that it exited 0, showing what it printed when not.</summary>
    public static async Task<CliResult> RunOkAsync(this TestServer server, params string[] args)
    {
        CliResult result = await server.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"opentfa {string.Join(' ', args)}\n{result}");
        return result;
    }

    public static Task<CliResult> RunWithKeyAsync(this TestServer server, string? key, params string[] args) =>
        CliProcess.RunAsync(args, CliProcess.Env(server.BaseAddress.ToString(), key));
}
