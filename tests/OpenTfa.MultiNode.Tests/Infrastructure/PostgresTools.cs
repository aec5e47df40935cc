using System.Globalization;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>
/// PostgreSQL's own client programs (pg_dump, pg_restore), run as an operator runs them. Unlike
/// initdb and pg_ctl they do not refuse root, so they run as the current user.
/// </summary>
public static class PostgresTools
{
    /// <summary><c>pg_dump --format=custom</c> of one database into <paramref name="file"/>.</summary>
    public static Task DumpAsync(int port, string database, string file) =>
        RunAsync("pg_dump", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "--format=custom", "--file", file, database]);

    /// <summary><c>pg_restore</c> of a custom-format dump into an existing, empty database.</summary>
    public static Task RestoreAsync(int port, string database, string file) =>
        RunAsync("pg_restore", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "--no-owner", "--exit-on-error", "-d", database, file]);

    private static Task RunAsync(string program, IReadOnlyList<string> arguments) =>
        PeerProcess.RunCheckedAsync(new ProgramStart(Path.Combine(PostgresServer.FindBinaries(), program), arguments), TimeSpan.FromSeconds(60));
}
