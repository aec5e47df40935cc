using System.CommandLine;
using System.Text.Json.Nodes;
using OpenTfa.Cli.Output;
using OpenTfa.Client;
using OpenTfa.Contracts;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa serve</c> (run the server here) and <c>opentfa server status</c> (ask a running one for its health).</summary>
internal static class ServerCommands
{
    public static Command Serve()
    {
        var config = new Option<string?>("--config")
        {
            Description = "Read the settings from this file instead of appsettings.json in the working directory",
            HelpName = "file",
        };
        var command = new Command("serve", $"""
            Run the OpenTfa server in this process until Ctrl+C. Settings come from appsettings.json in the
            working directory (or --config FILE), environment variables (OpenTfa__BootstrapApiKey) and the
            further arguments, each a setting given as --Section:Key value. An argument the server would not
            read is refused. The most important settings:
            {ServerCommandLine.KeySettings}
            {ServerCommandLine.ExitCodes}
            """)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Add(config);
        command.SetAction((parse, _) =>
        {
            // --url, --api-key and --json are for the commands that talk to a server; serve would silently drop them.
            foreach (Option option in new Option[] { GlobalOptions.Url, GlobalOptions.ApiKey, GlobalOptions.Json }.Where(o => parse.GetResult(o) is { Implicit: false }))
            {
                string hint = option == GlobalOptions.Url ? " (did you mean --urls, the addresses to listen on?)" : string.Empty;
                Console.Error.WriteLine($"error: {option.Name} is not an option of 'opentfa serve'{hint}");
                Console.Error.WriteLine("  See 'opentfa serve --help'.");
                return Task.FromResult(ExitCodes.Usage);
            }

            string[] args = parse.GetValue(config) is { } file ? ["--config", file, .. parse.UnmatchedTokens] : [.. parse.UnmatchedTokens];
            return ServerHost.RunAsync(args);
        });
        return command;
    }

    public static Command Server() => new("server", "Ask a running server about itself")
    {
        StatusCommand(),
    };

    private static Command StatusCommand()
    {
        var command = new Command("status", $"Health of the server: live (the process answers) and ready (it can serve); exits {ExitCodes.Unavailable} when not ready");
        command.SetAction((parse, ct) => Session.RunAsync(parse, needsKey: false, async (s, ct) =>
        {
            HealthResponse live = await s.Client.GetHealthAsync(OpenTfaHealthCheck.Live, ct);
            HealthResponse ready = await s.Client.GetHealthAsync(OpenTfaHealthCheck.Ready, ct);
            bool isReady = ready.Status == "ready";
            if (s.Json)
            {
                var both = new JsonObject { ["live"] = JsonNode.Parse(s.Bodies[0]), ["ready"] = JsonNode.Parse(s.Bodies[1]) };
                Session.Out.WriteLine(both.ToJsonString());
            }
            else
            {
                var pairs = new List<(string, string?)> { ("url", s.Url.ToString()), ("live", live.Status), ("ready", ready.Status) };
                pairs.AddRange((ready.Details ?? new Dictionary<string, string>()).OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => (d.Key, (string?)d.Value)));
                Table.Pairs(Session.Out, [.. pairs]);
            }

            if (!isReady)
            {
                Session.Error.WriteLine($"error: the server at {s.Url} is not ready (its store does not answer); check its log.");
                return ExitCodes.Unavailable;
            }

            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
