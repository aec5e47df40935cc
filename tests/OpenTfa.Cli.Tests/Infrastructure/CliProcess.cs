using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

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

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(DllPath);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's own environment decides where the CLI goes.
        info.Environment.Remove("OPENTFA_URL");
        info.Environment.Remove("OPENTFA_API_KEY");
        foreach ((string name, string? value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return info;
    }

    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string?> environment, string? workingDirectory = null)
    {
        ProcessStartInfo info = StartInfo(args, environment);
        info.WorkingDirectory = workingDirectory ?? info.WorkingDirectory;
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"opentfa {string.Join(' ', args)} did not finish within 90 s");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
