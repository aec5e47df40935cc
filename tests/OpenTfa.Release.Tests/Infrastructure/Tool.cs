namespace OpenTfa.Release.Tests.Infrastructure;

/// <summary>Runs the command-line tools a release is built and checked with.</summary>
public static class Tool
{
    /// <summary>Runs <paramref name="file"/> to its end and returns what it printed; a run past the timeout is killed and fails.</summary>
    public static Task<ProgramResult> RunAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? workingDirectory = null) =>
        PeerProcess.RunAsync(new ProgramStart(file, arguments) { WorkingDirectory = workingDirectory }, timeout);

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
