using System.Net.Http.Headers;
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
    private readonly List<DeliveredMessage> _deliveries;
    private readonly PeerProcess _process;

    private ServerNode(string name, PeerProcess process, int port, string apiKey, List<DeliveredMessage> deliveries)
    {
        Name = name;
        _process = process;
        _deliveries = deliveries;
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

    /// <summary>
    /// Starts a node and waits until it listens. With no <paramref name="port"/>, a free port is
    /// chosen, and another one if something took it first.
    /// </summary>
    public static async Task<ServerNode> StartAsync(string name, string workingDirectory, IReadOnlyDictionary<string, string> environment, string apiKey, int? port = null)
    {
        var deliveries = new List<DeliveredMessage>();
        (PeerProcess process, int chosen) = await PeerProcess.StartListeningAsync(
            free => new ProgramStart("dotnet", [ServerDll, "--urls", $"http://127.0.0.1:{free}"])
            {
                Name = $"node {name}",
                WorkingDirectory = workingDirectory,
                Environment = new Dictionary<string, string?>(environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
                {
                    ["DOTNET_ENVIRONMENT"] = "Production",
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                },
            },
            ListeningLine().IsMatch,
            StartTimeout,
            port,
            line => OnLine(name, line, deliveries));
        return new ServerNode(name, process, chosen, apiKey, deliveries);
    }

    /// <summary>Everything the node wrote so far, standard output and error interleaved.</summary>
    public string Output => _process.Output;

    public IReadOnlyList<string> Lines => _process.Lines;

    public IReadOnlyList<DeliveredMessage> Deliveries
    {
        get
        {
            lock (_deliveries)
            {
                return [.. _deliveries];
            }
        }
    }

    /// <summary>Waits until this node's log channel printed a message to <paramref name="to"/>.</summary>
    public async Task<DeliveredMessage> WaitForDeliveryAsync(string to, TimeSpan? timeout = null)
    {
        DeliveredMessage? found = null;
        await _process.WaitUntilAsync(
            () => Task.FromResult((found = Deliveries.FirstOrDefault(d => d.To == to)) is not null),
            timeout ?? TimeSpan.FromSeconds(30),
            $"a delivery to {to}");
        return found!;
    }

    /// <summary>Sends SIGTERM (what systemd and Kubernetes send) to this node's PID.</summary>
    public void Terminate() => _process.Terminate();

    /// <summary>Waits for the process to end (and its output to be read) and returns its exit code.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
    }

    public override string ToString() => $"{Name} (PID {Pid}, {BaseAddress})";

    private HttpClient CreateClient(string apiKey)
    {
        // Every answer of every node is checked against the OpenAPI document, as in-process servers' are.
        var client = new HttpClient(new OpenApiContractHandler(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) }))
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", apiKey);
        return client;
    }

    private static void OnLine(string node, string line, List<DeliveredMessage> deliveries)
    {
        if (DeliveryLine().Match(line) is { Success: true } m)
        {
            lock (deliveries)
            {
                deliveries.Add(new DeliveredMessage(node, m.Groups[1].Value, m.Groups[2].Value, JsonSerializer.Deserialize<string>(m.Groups[3].Value)!));
            }
        }
    }
}
