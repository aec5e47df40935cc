using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTfa.Release.Tests.Infrastructure;

/// <summary>
/// The <c>OpenTfa.Server</c> program of an unpacked release, run as its own process on a port of
/// 127.0.0.1 that the OS picks. Stopped by its own PID: SIGTERM, or SIGKILL on dispose if it still runs.
/// </summary>
public sealed partial class UnpackedServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private UnpackedServer(Process process) => _process = process;

    public Uri BaseAddress { get; private set; } = null!;

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Starts <paramref name="program"/> with its data in <paramref name="dataDirectory"/> and returns once it listens.</summary>
    public static async Task<UnpackedServer> StartAsync(string program, string workingDirectory, string dataDirectory)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--urls", "http://127.0.0.1:0", $"--OpenTfa:DataDirectory={dataDirectory}" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string inherited in info.Environment.Keys.Where(k => k.StartsWith("OpenTfa__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(inherited);
        }

        var server = new UnpackedServer(new Process { StartInfo = info, EnableRaisingEvents = true });
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.Exited += (_, _) =>
        {
            // Let the last lines arrive: they say why it stopped.
            server._process.WaitForExit();
            server._listening.TrySetException(new InvalidOperationException(
                $"{program} exited with {server._process.ExitCode} before it listened: {server.Output}"));
        };
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            server.BaseAddress = await server._listening.Task.WaitAsync(StartTimeout);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

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

    /// <summary>Sends SIGTERM to the server's PID and returns its exit code once it has stopped.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        Match listening = ListeningLine().Match(line);
        if (listening.Success)
        {
            _listening.TrySetResult(new Uri(listening.Groups[1].Value));
        }
    }
}
