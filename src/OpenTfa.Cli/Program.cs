using System.CommandLine;
using OpenTfa.Cli.Commands;

namespace OpenTfa.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        RootCommand root = BuildRoot();
        // No response files: an argument such as "@example.com" (a whole e-mail domain) is a value, not a file to read.
        ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (string message in parse.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal))
            {
                Console.Error.WriteLine($"error: {message}");
            }

            string command = string.Join(' ', CommandPath(parse.CommandResult.Command));
            Console.Error.WriteLine($"  See '{command} --help'.");
            return ExitCodes.Usage;
        }

        // Ctrl+C is left to the default (end the process) or, under 'serve', to the host's graceful shutdown.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand($"""
            opentfa: run an OpenTfa server and drive it from a shell.
            The server address and key come from --url/--api-key or {GlobalOptions.UrlVariable}/{GlobalOptions.KeyVariable}.
            Exit codes: 0 ok, 1 the server refused the request (4xx), 2 usage error,
            3 server unreachable or failing (5xx, not ready), 4 'pin verify' did not verify;
            'serve' and 'admin create-key': 2 configuration, 3 store, 4 listener.
            """)
        {
            ServerCommands.Serve(),
            ServerCommands.Server(),
            AdminCommands.Create(),
            KeyCommands.Keys(),
            KeyCommands.Tenants(),
            AppCommands.Create(),
            WorkflowCommands.Create(),
            TemplateCommands.Create(),
            EmailBodyCommands.Create(),
            PinCommands.Create(),
            OperationCommands.Version(),
            OperationCommands.Channels(),
            OperationCommands.Protection(),
            OperationCommands.Webhooks(),
            OperationCommands.Audit(),
            OperationCommands.Analytics(),
            OperationCommands.History(),
        };
        root.Add(GlobalOptions.Url);
        root.Add(GlobalOptions.ApiKey);
        root.Add(GlobalOptions.Json);
        return root;
    }

    private static Stack<string> CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(c is RootCommand ? "opentfa" : c.Name);
        }

        return names;
    }
}
