using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Smpp.Tests.Integration;

/// <summary>
/// The SMSC simulator of tests/peers/smsc (node-smpp), run as a child process bound to
/// 127.0.0.1, with helpers for its HTTP control API. Disposing kills exactly its PID.
/// </summary>
public sealed partial class SmscProcess : IAsyncDisposable
{
    public const string SystemId = "opentfa";
    public const string Password = "secret";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    // Answers use snake_case (SMPP field names); requests keep the camelCase names of the mode keys.
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly JsonSerializerOptions RequestJson = new();
    private readonly Process process;
    private readonly StringBuilder output;
    private readonly HttpClient http;

    private SmscProcess(Process process, StringBuilder output, int port, int controlPort)
    {
        this.process = process;
        this.output = output;
        Port = port;
        ControlPort = controlPort;
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public int ControlPort { get; }

    public int ProcessId => process.Id;

    public static string Directory { get; } = FindSimulatorDirectory();

    /// <summary>Installs node-smpp with npm when node_modules is missing; fails loudly when Node.js is absent.</summary>
    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var (nodeExit, nodeOutput) = await RunAsync("node", ["--version"]);
            if (nodeExit != 0)
            {
                throw new InvalidOperationException(
                    "The SMPP integration tests need Node.js 20 or later on PATH to run the SMSC simulator in tests/peers/smsc, " +
                    $"but 'node --version' failed: {nodeOutput}. Install Node.js and npm (e.g. apt-get install -y nodejs npm).");
            }

            if (File.Exists(Path.Combine(Directory, "node_modules", "smpp", "package.json")))
            {
                return;
            }

            var command = File.Exists(Path.Combine(Directory, "package-lock.json")) ? "ci" : "install";
            var (npmExit, npmOutput) = await RunAsync("npm", [command, "--no-audit", "--no-fund"]);
            if (npmExit != 0 || !File.Exists(Path.Combine(Directory, "node_modules", "smpp", "package.json")))
            {
                throw new InvalidOperationException(
                    $"'npm {command}' in {Directory} did not install the smpp package (exit {npmExit}): {npmOutput}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>Starts the simulator; port 0 lets the OS choose. Returns once it printed its ready line.</summary>
    public static async Task<SmscProcess> StartAsync(int port = 0, int controlPort = 0)
    {
        await EnsureInstalledAsync();
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "smsc.js", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--control-port", controlPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--system-id", SystemId, "--password", Password })
        {
            info.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<(int Port, int ControlPort)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
            }

            var match = ReadyLine().Match(e.Data);
            if (match.Success)
            {
                ready.TrySetResult((int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"The SMSC simulator exited before it was ready: {Snapshot(output)}"));

        if (!process.Start())
        {
            throw new InvalidOperationException("The SMSC simulator did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (actualPort, actualControlPort) = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return new SmscProcess(process, output, actualPort, actualControlPort);
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    public Task ResetAsync() => PostAsync("reset", new { });

    public Task SetModeAsync(object mode) => PostAsync("mode", mode);

    public Task<List<SmscMessage>> GetMessagesAsync() => GetAsync<List<SmscMessage>>("messages");

    public Task<List<SmscBind>> GetBindsAsync() => GetAsync<List<SmscBind>>("binds");

    public Task<List<SmscUnbind>> GetUnbindsAsync() => GetAsync<List<SmscUnbind>>("unbinds");

    /// <summary>What the ESMEs answered to the SMSC's own requests (receipts, probes).</summary>
    public Task<List<SmscDelivered>> GetDeliveredAsync() => GetAsync<List<SmscDelivered>>("delivered");

    public async Task<List<SmscProbeResponse>> ProbeEnquireLinkAsync() =>
        await PostAsync<List<SmscProbeResponse>>("probe/enquire-link", new { });

    public async Task<List<SmscProbeResponse>> ProbeUnknownCommandAsync() =>
        await PostAsync<List<SmscProbeResponse>>("probe/unknown-command", new { });

    public async Task<SmscProbeResponse> SendMobileOriginatedAsync(string source, string destination, string text, bool ucs2 = false) =>
        await PostAsync<SmscProbeResponse>("mo", new { source, destination, text, ucs2 });

    /// <summary>Kills the simulator (exactly this PID) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        Kill(process);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Kill(process);
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Killed; the OS reaps it.
        }

        process.Dispose();
        http.Dispose();
    }

    public override string ToString() => $"SMSC simulator pid {ProcessId} smpp={Port} control={ControlPort}: {Snapshot(output)}";

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private async Task<T> GetAsync<T>(string path) =>
        (await http.GetFromJsonAsync<T>(path, Json))!;

    private async Task PostAsync(string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body, RequestJson);
        response.EnsureSuccessStatusCode();
    }

    private async Task<T> PostAsync<T>(string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body, RequestJson);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            return (process.ExitCode, (await stdout) + (await stderr));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static string FindSimulatorDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "peers", "smsc");
            if (File.Exists(Path.Combine(candidate, "smsc.js")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"tests/peers/smsc/smsc.js not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^listening smpp=(\d+) control=(\d+)$")]
    private static partial Regex ReadyLine();
}

public sealed class SmscMessage
{
    public string MessageId { get; init; } = string.Empty;

    public string? SystemId { get; init; }

    public string SourceAddr { get; init; } = string.Empty;

    public int SourceAddrTon { get; init; }

    public int SourceAddrNpi { get; init; }

    public string DestinationAddr { get; init; } = string.Empty;

    public int DestAddrTon { get; init; }

    public int DestAddrNpi { get; init; }

    public int EsmClass { get; init; }

    public int RegisteredDelivery { get; init; }

    public int DataCoding { get; init; }

    public string ShortMessage { get; init; } = string.Empty;

    public SmscUdh? Udh { get; init; }

    public string? Text { get; init; }
}

public sealed class SmscUdh
{
    public string Hex { get; init; } = string.Empty;

    public int? Reference { get; init; }

    public int? Total { get; init; }

    public int? Seq { get; init; }
}

public sealed class SmscBind
{
    public string Command { get; init; } = string.Empty;

    public string SystemId { get; init; } = string.Empty;

    public int CommandStatus { get; init; }

    public string Session { get; init; } = string.Empty;
}

public sealed class SmscUnbind
{
    public string? SystemId { get; init; }

    public string Session { get; init; } = string.Empty;
}

public sealed class SmscProbeResponse
{
    public string? Command { get; init; }

    public int? CommandStatus { get; init; }

    public bool? Timeout { get; init; }

    public bool? Sent { get; init; }
}

public sealed class SmscDelivered
{
    public string Kind { get; init; } = string.Empty;

    public string? MessageId { get; init; }

    public int? CommandStatus { get; init; }
}
