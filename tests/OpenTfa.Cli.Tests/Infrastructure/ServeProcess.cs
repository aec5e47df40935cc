using OpenTfa.Testing;

namespace OpenTfa.Cli.Tests.Infrastructure;

/// <summary>
/// <c>opentfa serve</c> as a process on a free loopback port, configured through environment
/// variables; its standard output (where the log channel delivers) is kept line by line.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    public const string BootstrapKey = "cli-bootstrap-key-0123456789abcdef";

    private readonly PeerProcess _process;

    private ServeProcess(PeerProcess process, string url, string dataDirectory)
    {
        _process = process;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string DataDirectory { get; }

    public IReadOnlyList<string> Lines => _process.Lines;

    public static async Task<ServeProcess> StartAsync()
    {
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var env = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["OpenTfa__DataDirectory"] = Path.Combine(dir, "data"),
            ["OpenTfa__BootstrapApiKey"] = BootstrapKey,
            ["OpenTfa__Delivery__PollInterval"] = "00:00:00.100",
            ["OpenTfa__Delivery__RetryInitialDelay"] = "00:00:00.100",
        };
        return await StartAsync(dir, url => ["serve", "--urls", url], env);
    }

    /// <summary><c>opentfa</c> with <paramref name="args"/> (given the address to listen on) in <paramref name="dir"/>, which it deletes on dispose.</summary>
    public static async Task<ServeProcess> StartAsync(string dir, Func<string, IEnumerable<string>> args, IDictionary<string, string?> env)
    {
        (PeerProcess process, int port) = await PeerProcess.StartListeningAsync(
            free => CliProcess.Program(args($"http://127.0.0.1:{free}"), env, dir) with { Name = "opentfa serve" },
            line => line.Contains("Now listening on", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60));
        return new ServeProcess(process, $"http://127.0.0.1:{port}", dir);
    }

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(args, CliProcess.Env(Url, BootstrapKey));

    /// <summary>The PIN of the n-th log-channel delivery to <paramref name="to"/>, read from the server's standard output.</summary>
    public async Task<string> WaitForPinAsync(string to, int nth = 1) =>
        CapturedDeliveries.PinOf(await CapturedDeliveries.WaitForLineAsync(
            () => Lines.Where(l => l.StartsWith("[opentfa:log] ", StringComparison.Ordinal)).ToArray(), to, nth, TimeSpan.FromSeconds(15)));

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temp folder later.
        }
    }
}
