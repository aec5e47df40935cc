using System.Net;
using System.Reflection;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The built OpenTfa server (<c>dotnet src/OpenTfa.Server/bin/&lt;Configuration&gt;/net10.0/OpenTfa.Server.dll</c>,
/// the configuration these tests were built in) as a separate process on 127.0.0.1, configured
/// through environment variables. Killing and disposing act on exactly its PID.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly PeerProcess _process;

    private ServerProcess(PeerProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public static string ServerDll { get; } = FindServerDll();

    /// <summary>Starts the server and returns once <c>/health/ready</c> answers 200.</summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> environment)
    {
        int port = FreePort.Next();
        PeerProcess process = PeerProcess.Start(new ProgramStart("dotnet", [ServerDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            Name = "OpenTfa server",
            WorkingDirectory = Path.GetDirectoryName(ServerDll)!,
            Environment = environment.AsReadOnly(),
        });
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            await process.WaitUntilAsync(
                async () =>
                {
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
                "/health/ready answering 200");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string? key = Settings.BootstrapKey) => TestServer.ClientFor(BaseAddress, key);

    /// <summary>SIGKILL: the process gets no chance to finish anything.</summary>
    public Task KillAsync() => _process.KillAsync();

    public override string ToString() => $"OpenTfa server pid {ProcessId} at {BaseAddress}: {_process.Output}";

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    // The server is built in the configuration and for the framework these tests were built in.
    private static string FindServerDll()
    {
        string configuration = typeof(ServerProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        string dll = Path.Combine(Repository.Root, "src", "OpenTfa.Server", "bin", configuration, framework, "OpenTfa.Server.dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{dll} does not exist; build the server first (dotnet build src/OpenTfa.Server -c {configuration}).");
    }
}
