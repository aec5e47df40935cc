using System.Reflection;
using System.Text.Json.Nodes;
using OpenTfa.Testing;

namespace OpenTfa.Cli.Tests.Infrastructure;

/// <summary>What one run of <c>opentfa</c> printed and how it exited.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException($"stdout is not JSON: {this}");

    /// <summary>The value of a "name  value" line of a human view.</summary>
    public string Field(string name)
    {
        string? line = Stdout.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line?[name.Length..].Trim() ?? throw new InvalidOperationException($"No '{name}' line in: {this}");
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the built <c>opentfa</c> as its own process: <c>dotnet opentfa.dll …</c>.</summary>
public static class CliProcess
{
    public static string DllPath { get; } = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OpenTfaCliPath").Value!;

    public static Dictionary<string, string?> Env(string? url, string? key) => new(StringComparer.Ordinal)
    {
        ["OPENTFA_URL"] = url,
        ["OPENTFA_API_KEY"] = key,
    };

    /// <summary><c>dotnet opentfa.dll</c> with <paramref name="args"/>; a null value in <paramref name="environment"/> removes that variable.</summary>
    public static ProgramStart Program(IEnumerable<string> args, IDictionary<string, string?> environment, string? workingDirectory = null) =>
        new("dotnet", [DllPath, .. args])
        {
            Name = "opentfa",
            WorkingDirectory = workingDirectory,
            Environment = environment.AsReadOnly(),
        };

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string?> environment, string? workingDirectory = null)
    {
        ProgramResult run = await PeerProcess.RunAsync(Program(args, environment, workingDirectory), TimeSpan.FromSeconds(90));
        return new CliResult(run.ExitCode, run.Stdout, run.Stderr);
    }
}
