using System.CommandLine;
using System.Text.Json.Nodes;
using OpenTfa.Cli.Output;
using OpenTfa.Client;
using OpenTfa.Contracts;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa serve</c> (run the server here) and <c>opentfa server status</c> (ask a running one for its health).</summary>
internal static class ServerCommands
{
    public static Command Serve()
    {
        var command = new Command("serve", """
            Run the OpenTfa server in this process until Ctrl+C. Every further argument goes to the server as
            configuration, e.g. --urls http://0.0.0.0:5080 --OpenTfa:DataDirectory /var/lib/opentfa
            (environment variables such as OpenTfa__BootstrapApiKey work too). Default address: http://127.0.0.1:5080.
            """)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction((parse, _) => ServerHost.RunAsync([.. parse.UnmatchedTokens]));
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
