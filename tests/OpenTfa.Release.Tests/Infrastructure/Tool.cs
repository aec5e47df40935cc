using System.Diagnostics;

namespace OpenTfa.Release.Tests.Infrastructure;

/// <summary>What a finished command printed and how it ended.</summary>
public sealed record ToolResult(string Command, int ExitCode, string Output, string Error)
{
    public override string ToString() => $"{Command} exited with {ExitCode}\n{Output}\n{Error}";
}

/// <summary>Runs the command-line tools a release is built and checked with.</summary>
public static class Tool
{
    /// <summary>Runs <paramref name="file"/> to its end and returns what it printed; a run past the timeout is killed and fails.</summary>
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        string command = $"{file} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {timeout}.");
        }

        return new ToolResult(command, process.ExitCode, await output, await error);
    }

    /// <summary>Fails with the way to install it when a tool the release needs is missing; a missing tool is never a reason to skip.</summary>
    public static void Require(string name, string debianPackage)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        bool found = path is not null && path.Split(':').Any(dir => File.Exists(Path.Combine(dir, name)));
        if (!found)
        {
            throw new InvalidOperationException(
                $"'{name}' is not installed, and the release cannot be built or checked without it: run ./test.sh (it installs it) or apt-get install {debianPackage}.");
        }
    }
}
