namespace OpenTfa.Server.Hosting;

/// <summary>
/// The server's own command line: <c>--help</c>, <c>--version</c> and <c>--config FILE</c>; every
/// other argument is a setting (<c>--OpenTfa:DataDirectory /srv/otp</c>, <c>--urls URL</c>) under
/// one of the sections the server reads. An argument it would not read is refused rather than
/// ignored, so that <c>--url</c> for <c>--urls</c> stops the start instead of listening elsewhere.
/// </summary>
public sealed record ServerCommandLine(bool Help, bool Version, string? ConfigFile, string[] Settings)
{
    /// <summary>The first part of every setting the server reads from its command line.</summary>
    private static readonly string[] Sections = ["OpenTfa", "urls", "Logging", "Kestrel", "AllowedHosts", "environment", "HTTP_PORTS", "HTTPS_PORTS"];

    private static readonly string[] Switches = ["--help", "--version", "--config"];

    /// <summary>The settings a new operator meets first; printed by <c>--help</c> here and by <c>opentfa serve --help</c>.</summary>
    public const string KeySettings = """
          --urls URL[;URL]                    where to listen (default http://127.0.0.1:5080)
          --OpenTfa:DataDirectory DIR         the embedded database and the PIN key file (default ./data)
          --OpenTfa:Storage:Provider NAME     sqlite (default) or postgres
          --OpenTfa:Storage:ConnectionString  the PostgreSQL connection string
          --OpenTfa:BootstrapApiKey KEY       the first admin key on an empty store (default: generated, printed once)
          --OpenTfa:Encryption:KeyFile FILE   the PIN encryption key ring (default: opentfa.key in the data folder)
          OpenTfa:Channels, OpenTfa:Routes    real SMS, voice and e-mail delivery (default: printed to standard output)
        Any setting may also come from appsettings.json or an environment variable (OpenTfa__Storage__Provider).
        """;

    public const string ExitCodes = "Exit codes: 0 stopped, 1 unexpected failure, 2 configuration, 3 store, 4 listener.";

    public static string HelpText(string program) => $"""
        OpenTfa {BuildInfo.Version}: a self-hosted one-time PIN (two-factor authentication) service that
        answers Infobip's 2FA HTTP API.

        Usage: {program} [--config FILE] [--urls URL] [--Section:Key value]...

          --help                              this text
          --version                           the version and the commit it was built from
          --config FILE                       read the settings from FILE instead of appsettings.json beside the server
        {KeySettings}

        {ExitCodes}
        Documentation: docs/ beside the README (configuration.md for every setting, operations.md for
        start-up failures, the admin key and health).
        """;

    /// <summary>Reads the arguments; throws a configuration <see cref="StartupFailureException"/> for one the server would not read.</summary>
    public static ServerCommandLine Parse(IReadOnlyList<string> args)
    {
        bool help = false, version = false;
        string? config = null;
        var settings = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                continue;
            }

            if (arg == "--version")
            {
                version = true;
                continue;
            }

            (string? key, string? value, int taken) = Split(args, i);
            if (key is null)
            {
                throw new StartupFailureException(ServerExitCodes.Configuration, $"'{arg}' is not an argument of the OpenTfa server. Settings are given as --Section:Key value (--OpenTfa:DataDirectory ./data); see --help");
            }

            if (key.Equals("config", StringComparison.OrdinalIgnoreCase))
            {
                config = Path.GetFullPath(value ?? throw new StartupFailureException(ServerExitCodes.Configuration, "--config needs a file: --config /etc/opentfa/appsettings.json"));
            }
            else if (!Sections.Contains(key.Split(':')[0], StringComparer.OrdinalIgnoreCase))
            {
                throw new StartupFailureException(ServerExitCodes.Configuration, $"--{key} is not an option of the OpenTfa server{Suggestion(key)}. Settings are given as --Section:Key value (--OpenTfa:DataDirectory ./data); see --help");
            }
            else
            {
                settings.AddRange(args.Skip(i).Take(taken));
            }

            i += taken - 1;
        }

        return new ServerCommandLine(help, version, config, [.. settings]);
    }

    /// <summary>A setting's key and value, read the way the command-line configuration reads them, and how many arguments they took.</summary>
    private static (string? Key, string? Value, int Taken) Split(IReadOnlyList<string> args, int i)
    {
        string arg = args[i];
        string body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('/') ? arg[1..] : arg;
        bool prefixed = body.Length != arg.Length;
        int equals = body.IndexOf('=', StringComparison.Ordinal);
        if (equals > 0)
        {
            return (body[..equals], body[(equals + 1)..], 1);
        }

        return prefixed && body.Length > 0
            ? (body, i + 1 < args.Count ? args[i + 1] : null, i + 1 < args.Count ? 2 : 1)
            : (null, null, 1);
    }

    private static string Suggestion(string key)
    {
        string wrong = "--" + key.Split(':')[0];
        string nearest = Switches.Concat(Sections.Select(s => "--" + s))
            .MinBy(candidate => Distance(wrong.ToLowerInvariant(), candidate.ToLowerInvariant()))!;
        return Distance(wrong.ToLowerInvariant(), nearest.ToLowerInvariant()) <= Math.Max(2, wrong.Length / 3) ? $" (did you mean {nearest}?)" : string.Empty;
    }

    /// <summary>Edits (insert, delete, replace) between two words.</summary>
    private static int Distance(string a, string b)
    {
        int[] previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
