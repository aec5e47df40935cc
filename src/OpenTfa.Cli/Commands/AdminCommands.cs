using System.CommandLine;

namespace OpenTfa.Cli.Commands;

/// <summary><c>opentfa admin create-key</c>: work on the server's store directly, without a running server or a key.</summary>
internal static class AdminCommands
{
    public static Command Create() => new("admin", "Work on the server's store directly, with no server running and no key: recovery")
    {
        CreateKeyCommand(),
    };

    private static Command CreateKeyCommand()
    {
        var dataDirectory = new Option<string?>("--data-directory")
        {
            Description = "The server's data folder (OpenTfa:DataDirectory), which holds opentfa.db",
            HelpName = "dir",
        };
        var connectionString = new Option<string?>("--connection-string")
        {
            Description = "The server's PostgreSQL connection string (OpenTfa:Storage:ConnectionString), for the postgres store",
            HelpName = "cs",
        };
        var config = new Option<string?>("--config")
        {
            Description = "The server's settings file (default: appsettings.json in the working directory, if there is one)",
            HelpName = "file",
        };
        var name = new Option<string>("--name", "-n") { Description = "What the key is for", DefaultValueFactory = _ => "recovered" };
        var command = new Command("create-key", """
            Mint a new operator key with every scope straight into the store and print it once: the way back
            when the only admin key is lost. Needs no running server and no key, only access to the store (the
            data folder, or the PostgreSQL database); recorded in the audit trail as key.recovered. The store is
            found as the server finds it (appsettings.json, OpenTfa__ variables), or named with --data-directory
            or --connection-string. Exit codes: 0 created, 2 configuration, 3 store.
            """)
        {
            dataDirectory,
            connectionString,
            config,
            name,
        };
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(dataDirectory) is not null && parse.GetValue(connectionString) is not null)
            {
                Console.Error.WriteLine("error: give --data-directory (SQLite) or --connection-string (PostgreSQL), not both");
                return Task.FromResult(ExitCodes.Usage);
            }

            return ServerHost.CreateKeyAsync(parse.GetValue(config), parse.GetValue(dataDirectory), parse.GetValue(connectionString), parse.GetRequiredValue(name), parse.GetValue(GlobalOptions.Json), ct);
        });
        return command;
    }
}
