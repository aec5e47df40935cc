using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Hosting;

/// <summary>The server as a new operator starts it: a real process, no configuration, an empty data folder.</summary>
public sealed partial class FirstStartTests
{
    [GeneratedRegex(@"Bootstrap API key \(all scopes; shown only now\): (otf_\S+)")]
    private static partial Regex KeyLine();

    [Fact]
    public async Task FirstStart_WithoutConfiguration_PrintsAGeneratedKeyOnce_AndDataLandsInTheWorkingDirectory()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-first-start", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            string key;
            await using (ServerProcess first = await ServerProcess.StartAsync(workingDirectory))
            {
                Match match = await first.WaitForOutputAsync(KeyLine());
                Assert.True(match.Success, first.Output);
                key = match.Groups[1].Value;
                Assert.Contains("DEVELOPMENT DELIVERY", first.Output);

                using var client = new HttpClient { BaseAddress = first.BaseAddress };
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
                Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/2fa/2/applications")).Status);
            }

            Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "opentfa.db")));
            Assert.True(File.Exists(Path.Combine(workingDirectory, "data", "opentfa.key")));

            await using ServerProcess second = await ServerProcess.StartAsync(workingDirectory);
            Assert.DoesNotContain("Bootstrap API key", second.Output);
            using var again = new HttpClient { BaseAddress = second.BaseAddress };
            again.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
            Assert.Equal(HttpStatusCode.OK, (await again.GetJsonAsync("/2fa/2/applications")).Status);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task BadConfiguration_RefusesToStart_NamingTheSetting()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-first-start", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            ServerRun run = await ServerProcess.RunToExitAsync(workingDirectory, new Dictionary<string, string> { ["OpenTfa__Storage__Provider"] = "oracle", ["OpenTfa__BootstrapApiKey"] = "short" });
            string output = run.Output;
            Assert.Equal(2, run.Exit);
            Assert.Contains("OpenTfa:Storage:Provider must be sqlite or postgres, was 'oracle'", output);
            Assert.Contains("OpenTfa:BootstrapApiKey must be at least 32 characters", output);
            Assert.DoesNotContain("short", output.Replace("shown", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}

/// <summary>How a server process that ran to its end exited, and what it printed where.</summary>
public sealed record ServerRun(int Exit, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>OpenTfa.Server.dll run as its own process on a free port; stopped by its PID.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output;

    private ServerProcess(Process process, Uri baseAddress, System.Text.StringBuilder output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    public Uri BaseAddress { get; }

    /// <summary>Everything the process printed so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "OpenTfa.Server.dll");

    /// <summary>The server with <paramref name="args"/>, or on a free port (<c>--urls http://127.0.0.1:0</c>) when none are given.</summary>
    private static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string>? environment, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServerDll);
        foreach (string arg in args.Count > 0 ? args : ["--urls", "http://127.0.0.1:0"])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public static async Task<ServerProcess> StartAsync(string workingDirectory, IDictionary<string, string>? environment = null)
    {
        Process process = Process.Start(StartInfo(workingDirectory, environment, []))!;
        var server = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        void OnLine(string? line)
        {
            if (line is null)
            {
                server.TrySetException(new InvalidOperationException("The server exited before listening:\n" + output));
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (Listening().Match(line) is { Success: true } m)
            {
                server.TrySetResult(new Uri(m.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { OnLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Uri address = await server.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return new ServerProcess(process, address, output);
    }

    /// <summary>Waits until the output matches <paramref name="pattern"/> (things printed once the server listens come after that line).</summary>
    public async Task<Match> WaitForOutputAsync(Regex pattern)
    {
        return await Poll.UntilAsync(
            () => Task.FromResult(pattern.Match(Output)),
            match => match.Success,
            TimeSpan.FromSeconds(30),
            _ => $"the output never matched {pattern}:\n{Output}");
    }

    /// <summary>Runs the server until it exits by itself (a refused start, --help); <paramref name="args"/> default to a free port.</summary>
    public static async Task<ServerRun> RunToExitAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        using Process process = Process.Start(StartInfo(workingDirectory, environment, args))!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new ServerRun(process.ExitCode, await stdout, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
