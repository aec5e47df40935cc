using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The built OpenTfa server (<c>dotnet src/OpenTfa.Server/bin/&lt;Configuration&gt;/net10.0/OpenTfa.Server.dll</c>,
/// the configuration these tests were built in) as a separate process on 127.0.0.1, configured
/// through environment variables. Killing and disposing act on exactly its PID.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private ServerProcess(Process process, StringBuilder output, Uri baseAddress)
    {
        this.process = process;
        this.output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => process.Id;

    public static string ServerDll { get; } = FindServerDll();

    /// <summary>Starts the server and returns once <c>/health/ready</c> answers 200.</summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> environment)
    {
        int port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ServerDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { ServerDll, "--urls", $"http://127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string inherited in info.Environment.Keys.Where(k => k.StartsWith("OpenTfa__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(inherited);
        }

        foreach ((string key, string? value) in environment)
        {
            info.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("The OpenTfa server process did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, output, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string? key = Settings.BootstrapKey) => Http.Client(BaseAddress, key);

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        await process.WaitForExitAsync();
    }

    public override string ToString() => $"OpenTfa server pid {ProcessId} at {BaseAddress}: {Snapshot()}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }

        process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await Poll.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"The OpenTfa server exited with {process.ExitCode} before it was ready: {Snapshot()}");
                }

                try
                {
                    using HttpResponseMessage response = await http.GetAsync("/health/ready");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false; // Not listening yet.
                }
            },
            TimeSpan.FromSeconds(60),
            () => $"The OpenTfa server was not ready: {Snapshot()}");
    }

    private string Snapshot()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // The server is built in the configuration and for the framework these tests were built in.
    private static string FindServerDll()
    {
        string configuration = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenTfa.slnx")))
            {
                string dll = Path.Combine(dir.FullName, "src", "OpenTfa.Server", "bin", configuration, framework, "OpenTfa.Server.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new InvalidOperationException($"{dll} does not exist; build the server first (dotnet build src/OpenTfa.Server -c {configuration}).");
            }
        }

        throw new InvalidOperationException($"OpenTfa.slnx not found above {AppContext.BaseDirectory}.");
    }
}
