using System.Data.Common;
using System.Text.Json;
using OpenTfa.Core.Security;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// A start that cannot go on: which part failed (the exit code of <see cref="ServerExitCodes"/>)
/// and one line naming the setting or path, what is wrong and how to fix it. The server prints the
/// line on standard error instead of a stack trace.
/// </summary>
public sealed class StartupFailureException(int exitCode, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>The line for standard error: <c>error: OpenTfa cannot start (store): …</c>.</summary>
    public string Line => $"error: OpenTfa cannot start ({Part}): {Text}";

    /// <summary>What is wrong and how to fix it, on one line, secrets masked.</summary>
    public string Text => SecretRedaction.Text(OneLine(Message));

    private string Part => ExitCode switch
    {
        ServerExitCodes.Configuration => "configuration",
        ServerExitCodes.Store => "store",
        ServerExitCodes.Listener => "listener",
        _ => "unexpected failure",
    };

    /// <summary>A configuration that cannot be read or is refused: a settings file, a value, an option, a channel or a route.</summary>
    public static StartupFailureException Configuration(Exception exception)
    {
        if (exception is StartupFailureException failure)
        {
            return failure;
        }

        if (Chain(exception).OfType<JsonException>().FirstOrDefault() is { } json)
        {
            string file = Chain(exception).Select(e => FileOf(e.Message)).FirstOrDefault(f => f is not null) ?? "a settings file";
            string where = json.LineNumber is { } line ? $" at line {line + 1}, column {json.BytePositionInLine + 1}" : string.Empty;
            int details = json.Message.IndexOf(" LineNumber:", StringComparison.Ordinal) is var at and >= 0 ? at : json.Message.IndexOf(" Path:", StringComparison.Ordinal);
            string what = details >= 0 ? json.Message[..details] : json.Message;
            return new StartupFailureException(ServerExitCodes.Configuration,
                $"{file} is not valid JSON{where}: {what} Correct the file (often a missing comma, quote or brace).", exception);
        }

        return new StartupFailureException(ServerExitCodes.Configuration,
            $"{Sentence(Describe(exception))} Correct the setting; docs/configuration.md lists every one.", exception);
    }

    /// <summary>The data folder cannot be created or written.</summary>
    internal static StartupFailureException DataFolder(string path, Exception exception) => new(ServerExitCodes.Store,
        $"the data folder '{path}' (OpenTfa:DataDirectory) cannot be written: {Innermost(exception)}. "
        + "Give the user OpenTfa runs as write access to it, or point OpenTfa:DataDirectory at a folder it can write.", exception);

    /// <summary>The store cannot be opened, migrated or reached.</summary>
    internal static StartupFailureException Store(OpenTfaOptions options, string dataDirectory, Exception exception)
    {
        if (exception is StartupFailureException failure)
        {
            return failure;
        }

        if (options.Storage.Provider == "postgres")
        {
            return new StartupFailureException(ServerExitCodes.Store,
                $"PostgreSQL {Server(options.Storage.ConnectionString)}(OpenTfa:Storage:ConnectionString) cannot be used: {Sentence(Describe(exception))} "
                + "Check that PostgreSQL runs and accepts this connection, or correct the connection string.", exception);
        }

        string database = KeyRecovery.SqlitePath(options, dataDirectory);
        return new StartupFailureException(ServerExitCodes.Store,
            $"the SQLite database '{database}' cannot be opened or written: {Sentence(Describe(exception))} "
            + "Check that the data folder (OpenTfa:DataDirectory) and the file are writable by the user OpenTfa runs as and the disk has room.", exception);
    }

    /// <summary>Kestrel cannot listen on the configured addresses.</summary>
    internal static StartupFailureException Listener(string? urls, Exception exception)
    {
        string what = Describe(exception);
        string where = urls is null || what.Contains(urls, StringComparison.OrdinalIgnoreCase) ? string.Empty : $"cannot listen on {urls}: ";
        return new StartupFailureException(ServerExitCodes.Listener,
            $"{where}{what} (the address comes from --urls or the Urls setting). "
            + "Stop whatever uses that address or choose another one with --urls (for example --urls http://127.0.0.1:5081).", exception);
    }

    internal static StartupFailureException Unexpected(Exception exception) => new(ServerExitCodes.Unexpected,
        $"{exception.GetType().Name}: {Sentence(Describe(exception))} Set Logging:LogLevel:OpenTfa to Debug to log the details.", exception);

    /// <summary>The outer message, and the innermost one when it adds the cause (connection refused, access denied).</summary>
    private static string Describe(Exception exception)
    {
        string outer = exception.Message.TrimEnd('.', ' ');
        string inner = Innermost(exception);
        return inner.Length == 0 || outer.Contains(inner, StringComparison.OrdinalIgnoreCase) ? outer : $"{outer} ({inner})";
    }

    private static string Innermost(Exception exception) => Chain(exception).Last().Message.TrimEnd('.', ' ');

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>The file named in "Failed to load configuration from file '/x/appsettings.json'".</summary>
    private static string? FileOf(string message)
    {
        int start = message.IndexOf('\'', StringComparison.Ordinal);
        int end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? $"'{message[(start + 1)..end]}'" : null;
    }

    /// <summary>"at host:port, database 'name' " from a connection string, never its credentials.</summary>
    private static string Server(string? connectionString)
    {
        try
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connectionString ?? string.Empty };
            string? Get(params string[] keys) => keys.Select(k => parts.TryGetValue(k, out object? v) ? v?.ToString() : null).FirstOrDefault(v => !string.IsNullOrEmpty(v));
            string host = Get("Host", "Server") ?? "localhost";
            string port = Get("Port") ?? "5432";
            string? database = Get("Database");
            return $"at {host}:{port}{(database is null ? string.Empty : $", database '{database}'")} ";
        }
        catch (ArgumentException)
        {
            return string.Empty;
        }
    }

    /// <summary>A heading line ("Invalid OpenTfa configuration:") and the problems under it, on one line: "heading: a | b".</summary>
    private static string OneLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = new System.Text.StringBuilder();
        foreach (string part in lines)
        {
            if (line.Length > 0)
            {
                line.Append(line[^1] == ':' ? " " : " | ");
            }

            line.Append(part);
        }

        return line.ToString();
    }

    /// <summary>The text ended as a sentence, so that advice can follow it.</summary>
    private static string Sentence(string text) => text.TrimEnd().EndsWith('.') || text.TrimEnd().EndsWith('?') ? text.TrimEnd() : text.TrimEnd() + ".";
}
