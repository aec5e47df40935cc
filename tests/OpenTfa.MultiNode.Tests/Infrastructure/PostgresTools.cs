using System.Diagnostics;
using System.Globalization;

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>
/// PostgreSQL's own client programs (pg_dump, pg_restore), run as an operator runs them. Unlike
/// initdb and pg_ctl they do not refuse root, so they run as the current user.
/// </summary>
public static class PostgresTools
{
    public static string Binary(string name)
    {
        var folders = new List<string> { "/usr/lib/postgresql/15/bin" };
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            folders.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} was not found in /usr/lib/postgresql/<version>/bin. Run ./test.sh, which installs PostgreSQL (apt-get install -y postgresql).");
    }

    /// <summary><c>pg_dump --format=custom</c> of one database into <paramref name="file"/>.</summary>
    public static Task DumpAsync(int port, string database, string file) =>
        RunAsync("pg_dump", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "--format=custom", "--file", file, database]);

    /// <summary><c>pg_restore</c> of a custom-format dump into an existing, empty database.</summary>
    public static Task RestoreAsync(int port, string database, string file) =>
        RunAsync("pg_restore", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "--no-owner", "--exit-on-error", "-d", database, file]);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Binary(program)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw new InvalidOperationException($"{program} did not finish within 60 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
