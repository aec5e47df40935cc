using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>One message the <c>log</c> channel of a node printed: <c>[opentfa:log] sms to=… from=… text="…"</c>.</summary>
public sealed record DeliveredMessage(string Node, string Kind, string To, string Text)
{
    /// <summary>The PIN, as the last word of the text (every template here ends with <c>{{pin}}</c>).</summary>
    public string Pin => Text[(Text.LastIndexOf(' ') + 1)..];
}

/// <summary>
/// <c>dotnet OpenTfa.Server.dll</c> as its own process on a loopback port, with its standard output
/// and error captured line by line. Stopped by its own PID: SIGTERM to test a graceful stop, SIGKILL
/// on dispose if it is still running.
/// </summary>
public sealed partial class ServerNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<DeliveredMessage> _deliveries = [];
    private readonly TaskCompletionSource _streamsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private ServerNode(string name, Process process, int port, string apiKey)
    {
        Name = name;
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = CreateClient(apiKey);
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public Uri BaseAddress { get; }

    /// <summary>A client for this node, authenticated with the bootstrap key (every scope).</summary>
    public HttpClient Client { get; }

    public bool HasExited => _process.HasExited;

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "OpenTfa.Server.dll");

    [GeneratedRegex("""^\[opentfa:log\] (sms|voice|email) to=(\S+) from=\S* (?:subject="(?:[^"\\]|\\.)*" )?text=("(?:[^"\\]|\\.)*")$""")]
    private static partial Regex DeliveryLine();

    [GeneratedRegex(@"Now listening on: http://127\.0\.0\.1:\d+")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private const int SigTerm = 15;

    /// <summary>
    /// Starts a node and waits until it listens. With no <paramref name="port"/>, a free port is
    /// chosen, and another one if something took it first.
    /// </summary>
    public static async Task<ServerNode> StartAsync(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment, string apiKey, int? port = null)
    {
        for (int attempt = 1; ; attempt++)
        {
            int chosen = port ?? FreePort.Next();
            ServerNode node = Launch(name, workingDirectory, environment, apiKey, chosen);
            try
            {
                await node.WaitForLineAsync(l => ListeningLine().IsMatch(l), StartTimeout);
                return node;
            }
            catch (InvalidOperationException) when (attempt < 3 && node.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await node.DisposeAsync();
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }
        }
    }

    private static ServerNode Launch(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment, string apiKey, int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var node = new ServerNode(name, process, port, apiKey);
        AppDomain.CurrentDomain.ProcessExit += node.OnTestProcessExit;
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Everything the node wrote so far, standard output and error interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

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

    public IReadOnlyList<DeliveredMessage> Deliveries
    {
        get
        {
            lock (_lines)
            {
                return [.. _deliveries];
            }
        }
    }

    /// <summary>Waits until the output holds a line that matches; fails with the output when the time is up or the node exits.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        int seen = 0;
        while (true)
        {
            Task next;
            lock (_lines)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (match(_lines[seen]))
                    {
                        return _lines[seen];
                    }
                }

                if (_streamsClosed.Task.IsCompleted)
                {
                    throw new InvalidOperationException($"Node {Name} exited before the expected line:{Environment.NewLine}{string.Join(Environment.NewLine, _lines)}");
                }

                next = Task.WhenAny(_changed.Task, _streamsClosed.Task);
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Node {Name}: no matching line within {timeout.TotalSeconds} s. Output:{Environment.NewLine}{Output}");
            }
        }
    }

    /// <summary>Waits until this node's log channel printed a message to <paramref name="to"/>.</summary>
    public async Task<DeliveredMessage> WaitForDeliveryAsync(string to, TimeSpan? timeout = null)
    {
        await WaitForLineAsync(l => DeliveryLine().Match(l) is { Success: true } m && m.Groups[2].Value == to, timeout ?? TimeSpan.FromSeconds(30));
        return Deliveries.First(d => d.To == to);
    }

    /// <summary>A task that completes at the next line this node writes; never, once its output has ended.</summary>
    public Task NextLineAsync()
    {
        lock (_lines)
        {
            return _changed.Task;
        }
    }

    /// <summary>Sends SIGTERM (what systemd and Kubernetes send) to this node's PID.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the process to end (and its output to be read) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _streamsClosed.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Node {Name} (PID {Pid}) did not exit within {timeout.TotalSeconds} s. Output:{Environment.NewLine}{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnTestProcessExit;
        Client.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (InvalidOperationException)
        {
            // The process is already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Should the test run end without disposing this node, the node still ends with it.</summary>
    private void OnTestProcessExit(object? sender, EventArgs e)
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public override string ToString() => $"{Name} (PID {_process.Id}, {BaseAddress})";

    private HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", apiKey);
        return client;
    }

    private void OnLine(string? line)
    {
        TaskCompletionSource changed;
        lock (_lines)
        {
            if (line is null)
            {
                if (--_openStreams == 0)
                {
                    _streamsClosed.TrySetResult();
                }

                return;
            }

            _lines.Add(line);
            if (DeliveryLine().Match(line) is { Success: true } m)
            {
                _deliveries.Add(new DeliveredMessage(Name, m.Groups[1].Value, m.Groups[2].Value, JsonSerializer.Deserialize<string>(m.Groups[3].Value)!));
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
