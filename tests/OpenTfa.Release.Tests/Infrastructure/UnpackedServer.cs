using System.Text.RegularExpressions;

namespace OpenTfa.Release.Tests.Infrastructure;

/// <summary>
/// The <c>OpenTfa.Server</c> program of an unpacked release, run as its own process on a port of
/// 127.0.0.1 that the OS picks. Stopped by its own PID: SIGTERM, or SIGKILL on dispose if it still runs.
/// </summary>
public sealed partial class UnpackedServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly PeerProcess _process;

    private UnpackedServer(PeerProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Starts <paramref name="program"/> with its data in <paramref name="dataDirectory"/> and returns once it listens.</summary>
    public static async Task<UnpackedServer> StartAsync(string program, string workingDirectory, string dataDirectory)
    {
        PeerProcess process = PeerProcess.Start(new ProgramStart(program, ["--urls", "http://127.0.0.1:0", $"--OpenTfa:DataDirectory={dataDirectory}"])
        {
            WorkingDirectory = workingDirectory,
        });
        try
        {
            Match listening = await process.WaitForLineAsync(ListeningLine(), StartTimeout);
            return new UnpackedServer(process, new Uri(listening.Groups[1].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM to the server's PID and returns its exit code once it has stopped.</summary>
    public Task<int> StopAsync(TimeSpan timeout)
    {
        _process.Terminate();
        return _process.WaitForExitAsync(timeout);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
