using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using OpenTfa.Server.Tests.Infrastructure;

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
                Match match = KeyLine().Match(first.Output);
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
            (int exit, string output) = await ServerProcess.RunToExitAsync(workingDirectory, new Dictionary<string, string> { ["OpenTfa__Storage__Provider"] = "oracle", ["OpenTfa__BootstrapApiKey"] = "short" });
            Assert.NotEqual(0, exit);
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

    private static ProcessStartInfo StartInfo(string workingDirectory, IDictionary<string, string>? environment, bool withUrls)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ServerDll);
        if (withUrls)
        {
            start.ArgumentList.Add("--urls");
            start.ArgumentList.Add("http://127.0.0.1:0");
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
        Process process = Process.Start(StartInfo(workingDirectory, environment, withUrls: true))!;
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

    public static async Task<(int Exit, string Output)> RunToExitAsync(string workingDirectory, IDictionary<string, string> environment)
    {
        using Process process = Process.Start(StartInfo(workingDirectory, environment, withUrls: true))!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
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
