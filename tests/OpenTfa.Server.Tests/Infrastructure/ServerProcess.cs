using System.Text.RegularExpressions;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Infrastructure;

/// <summary>OpenTfa.Server.dll run as its own process on a free port, as an operator starts it; stopped by its PID.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly PeerProcess _process;

    private ServerProcess(PeerProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Everything the process printed so far (standard output and error).</summary>
    public string Output => _process.Output;

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "OpenTfa.Server.dll");

    /// <summary>Starts the server on a free port and returns once it listens.</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, IDictionary<string, string>? environment = null)
    {
        PeerProcess process = PeerProcess.Start(Program(workingDirectory, environment, []));
        try
        {
            Match listening = await process.WaitForLineAsync(Listening(), Timeout);
            return new ServerProcess(process, new Uri(listening.Groups[1].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until a line of the output matches <paramref name="pattern"/> (things printed once the server listens come after that line).</summary>
    public Task<Match> WaitForOutputAsync(Regex pattern) => _process.WaitForLineAsync(pattern, TimeSpan.FromSeconds(30));

    /// <summary>Runs the server until it exits by itself (a refused start, --help); <paramref name="args"/> default to a free port.</summary>
    public static Task<ProgramResult> RunToExitAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args) =>
        PeerProcess.RunAsync(Program(workingDirectory, environment, args), Timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    /// <summary>The server with <paramref name="args"/>, or on a free port (<c>--urls http://127.0.0.1:0</c>) when none are given.</summary>
    private static ProgramStart Program(string workingDirectory, IDictionary<string, string>? environment, IReadOnlyList<string> args) =>
        new("dotnet", [ServerDll, .. args.Count > 0 ? args : ["--urls", "http://127.0.0.1:0"]])
        {
            Name = "OpenTfa server",
            WorkingDirectory = workingDirectory,
            Environment = (environment ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, string? (e) => e.Value),
        };
}
