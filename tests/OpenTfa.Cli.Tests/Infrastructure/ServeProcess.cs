using System.Text.RegularExpressions;
using OpenTfa.Testing;

namespace OpenTfa.Cli.Tests.Infrastructure;

/// <summary>
/// <c>opentfa serve</c> as a process on a free loopback port, configured through environment
/// variables; its standard output (where the log channel delivers) is kept line by line.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
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
        for (int attempt = 1; ; attempt++)
        {
            string url = $"http://127.0.0.1:{FreePort.Next()}";
            PeerProcess process = PeerProcess.Start(CliProcess.Program(args(url), env, dir) with { Name = "opentfa serve" });
            try
            {
                await process.WaitForLineAsync(l => l.Contains("Now listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "Now listening on");
                return new ServeProcess(process, url, dir);
            }
            catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
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

    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(args, CliProcess.Env(Url, BootstrapKey));

    [GeneratedRegex("text=\"(?:.*?)(?<pin>[0-9A-Z]{4,20})\"$")]
    private static partial Regex PinAtEnd();

    /// <summary>The PIN of the n-th log-channel delivery to <paramref name="to"/>, read from the server's standard output.</summary>
    public async Task<string> WaitForPinAsync(string to, int nth = 1)
    {
        string[] deliveries = await Poll.UntilAsync(
            () => Task.FromResult(Lines.Where(l => l.StartsWith("[opentfa:log] ", StringComparison.Ordinal) && l.Contains($" to={to} ", StringComparison.Ordinal)).ToArray()),
            found => found.Length >= nth,
            TimeSpan.FromSeconds(15),
            _ => $"No delivery #{nth} to {to}; the server printed:\n{string.Join('\n', Lines)}");
        Match match = PinAtEnd().Match(deliveries[nth - 1]);
        return match.Success ? match.Groups["pin"].Value : throw new InvalidOperationException($"No PIN at the end of: {deliveries[nth - 1]}");
    }

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
