using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTfa.Testing;

/// <summary>How to start a program: its file, arguments, working folder and environment.</summary>
/// <param name="FileName">The program, by path or by name on PATH.</param>
/// <param name="Arguments">Passed one by one, never through a shell.</param>
public sealed record ProgramStart(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The name used in messages; the file name by default.</summary>
    public string Name { get; init; } = Path.GetFileName(FileName);

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set; a null value removes an inherited one.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>What to do when the program cannot be started at all, e.g. "run ./test.sh, which installs it".</summary>
    public string? MissingHint { get; init; }

    public override string ToString() => $"{FileName} {string.Join(' ', Arguments)}";
}

/// <summary>How a program that ran to its end exited, and what it printed where.</summary>
public sealed record ProgramResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard output followed by standard error.</summary>
    public string Output => Stdout + Stderr;

    public override string ToString() => $"{Command} exited with {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// A program the tests run beside them — an SMSC or SMTP peer, Kannel, an OpenTfa server, a
/// PostgreSQL tool — as a child process. Its standard output and error are kept line by line in a
/// bounded buffer; waits for a ready line or port have a deadline and fail with what was missing and
/// what the program printed. Stopping acts on exactly its PID (and the processes it started), also
/// when the test run ends without disposing it.
/// </summary>
public sealed partial class PeerProcess : IAsyncDisposable
{
    /// <summary>How many lines of output are kept; older lines are dropped first.</summary>
    public const int MaxLines = 50_000;

    private const int SigTerm = 15;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly Action<string>? _onLine;
    private readonly TaskCompletionSource _streamsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private PeerProcess(Process process, string name, Action<string>? onLine)
    {
        _process = process;
        Name = name;
        _onLine = onLine;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The lines kept so far, standard output and error interleaved as they arrived.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The lines kept so far, one text.</summary>
    public string Output => string.Join('\n', Lines);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Starts the program; <paramref name="onLine"/> sees every line it prints, in order.</summary>
    public static PeerProcess Start(ProgramStart start, Action<string>? onLine = null)
    {
        var process = new Process { StartInfo = StartInfo(start) };
        var peer = new PeerProcess(process, start.Name, onLine);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data);
        Launch(process, start);
        AppDomain.CurrentDomain.ProcessExit += peer.OnTestProcessExit;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>
    /// Starts a server program on a free loopback port (given to <paramref name="start"/>) and waits for a line that
    /// says it listens; when something else took the port first (the program says "address already in use"), it tries
    /// another port, three times in all. With <paramref name="port"/> it uses that port and does not retry.
    /// </summary>
    public static async Task<(PeerProcess Process, int Port)> StartListeningAsync(
        Func<int, ProgramStart> start, Func<string, bool> listening, TimeSpan timeout, int? port = null, Action<string>? onLine = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            int chosen = port ?? FreePort.Next();
            PeerProcess process = Start(start(chosen), onLine);
            try
            {
                await process.WaitForLineAsync(listening, timeout, $"listening on port {chosen}");
                return (process, chosen);
            }
            catch (InvalidOperationException) when (port is null && attempt < 3 && process.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await process.DisposeAsync();
            }
            catch
            {
                await process.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Runs a program to its end and returns what it printed; a run past <paramref name="timeout"/> is killed and fails.</summary>
    public static async Task<ProgramResult> RunAsync(ProgramStart start, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = StartInfo(start) };
        Launch(process, start);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"{start} did not finish within {timeout.TotalSeconds} s: {await stderr}{await stdout}");
        }

        return new ProgramResult(start.ToString(), process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Like <see cref="RunAsync"/>, and fails with what it printed unless it exits with 0.</summary>
    public static async Task<ProgramResult> RunCheckedAsync(ProgramStart start, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ProgramResult result = await RunAsync(start, timeout, cancellationToken);
        return result.ExitCode == 0 ? result : throw new InvalidOperationException(result.ToString());
    }

    /// <summary>Waits for a line that matches <paramref name="pattern"/> and returns the match.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        string line = await WaitForLineAsync(pattern.IsMatch, timeout, $"a line matching {pattern}");
        return pattern.Match(line);
    }

    /// <summary>Waits for a line that satisfies <paramref name="match"/> (described by <paramref name="awaited"/>) and returns it;
    /// fails early, with the output, when the program exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string awaited)
    {
        string? found = null;
        await WaitUntilAsync(
            () =>
            {
                found = Lines.FirstOrDefault(match);
                return Task.FromResult(found is not null);
            },
            timeout,
            awaited);
        return found!;
    }

    /// <summary>Waits until something listens on <paramref name="port"/> of 127.0.0.1.</summary>
    public Task WaitForPortAsync(int port, TimeSpan timeout) =>
        WaitUntilAsync(
            async () =>
            {
                try
                {
                    using var socket = new TcpClient();
                    await socket.ConnectAsync("127.0.0.1", port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            timeout,
            $"a listener on 127.0.0.1:{port}");

    /// <summary>Waits until <paramref name="ready"/> holds (described by <paramref name="awaited"/>); fails early, with the
    /// output, when the program exits first, and at the deadline with what it printed.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan timeout, string awaited)
    {
        await Poll.UntilAsync(
            async () =>
            {
                if (await ready())
                {
                    return true;
                }

                if (_process.HasExited)
                {
                    // The last lines say why it stopped: read them before judging.
                    await _streamsClosed.Task.WaitAsync(StopTimeout);
                    if (await ready())
                    {
                        return true;
                    }

                    throw new InvalidOperationException($"{Name} (PID {Id}) exited with {_process.ExitCode} before {awaited}. It printed:\n{Output}");
                }

                return false;
            },
            timeout,
            () => $"{Name} (PID {Id}) did not show {awaited}. It printed:\n{Output}");
    }

    /// <summary>Sends SIGTERM (what systemd and Kubernetes send) to this PID.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>SIGKILL to this PID and the processes it started; returns once it has exited.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the program to end (and its output to be read) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _streamsClosed.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} (PID {Id}) did not exit within {timeout.TotalSeconds} s. It printed:\n{Output}");
        }

        return _process.ExitCode;
    }

    public override string ToString() => $"{Name} (PID {Id})";

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnTestProcessExit;
        try
        {
            await KillAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            // Killed; the OS reaps it.
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(ProgramStart start)
    {
        var info = new ProcessStartInfo(start.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = start.WorkingDirectory ?? string.Empty,
        };
        foreach (string argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Nothing from the test runner's own environment configures an OpenTfa program.
        foreach (string inherited in info.Environment.Keys.Where(IsOpenTfaSetting).ToList())
        {
            info.Environment.Remove(inherited);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string? value) in start.Environment)
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

    private static bool IsOpenTfaSetting(string name) =>
        name.StartsWith("OpenTfa__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("OPENTFA_", StringComparison.Ordinal);

    private static void Launch(Process process, ProgramStart start)
    {
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"{start.Name} did not start: {start}");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{start.Name} could not be started ({e.Message}): {start}. {start.MissingHint}".TrimEnd(), e);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _streamsClosed.TrySetResult();
            }

            return;
        }

        lock (_lines)
        {
            if (_lines.Count == MaxLines)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
            _onLine?.Invoke(line);
        }
    }

    /// <summary>Should the test run end without disposing this process, the process still ends with it.</summary>
    private void OnTestProcessExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
