using System.Security.Cryptography;
using Npgsql;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>
/// Several OpenTfa nodes on one fresh PostgreSQL database, as an operator runs them behind a load
/// balancer: one shared key file, one connection string, one bootstrap key, each node its own
/// data folder and port. Every node ever started here is stopped by its PID on dispose, and the
/// database is dropped.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly PostgresServer _postgres;
    private readonly List<ServerNode> _started = [];
    private readonly List<ServerNode> _nodes = [];

    private Cluster(PostgresServer postgres, string folder, string connectionString)
    {
        _postgres = postgres;
        Folder = folder;
        ConnectionString = connectionString;
        KeyFile = Path.Combine(folder, "opentfa.key");
        WriteKeyFile(KeyFile);
    }

    /// <summary>The bootstrap API key every node is given (it creates the key once, on the empty database).</summary>
    public string ApiKey { get; } = "otf-multinode-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public string Folder { get; }

    public string KeyFile { get; }

    public string ConnectionString { get; }

    public string DatabaseName => new NpgsqlConnectionStringBuilder(ConnectionString).Database!;

    /// <summary>The nodes currently in the cluster (a stopped node is removed, a restarted one added).</summary>
    public IReadOnlyList<ServerNode> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return [.. _nodes];
            }
        }
    }

    public ServerNode this[int index] => Nodes[index];

    /// <summary>Creates a database and starts <paramref name="count"/> nodes on it at once (so they also migrate the schema at once).</summary>
    public static async Task<Cluster> StartAsync(PostgresServer postgres, int count, Func<int, IReadOnlyDictionary<string, string>?>? settings = null)
    {
        string connection = await postgres.CreateDatabaseAsync();
        var cluster = new Cluster(postgres, Directory.CreateTempSubdirectory("opentfa-multinode-").FullName, connection);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, count).Select(i => cluster.StartNodeAsync(NodeName(i), settings?.Invoke(i))));
            cluster.SortNodes();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public static string NodeName(int index) => ((char)('A' + index)).ToString();

    /// <summary>A key file as an operator writes it: <c>id:base64key</c>, 32 random bytes.</summary>
    public static void WriteKeyFile(string path)
    {
        File.WriteAllText(path, $"k1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>The environment of a node of this cluster: the settings every node shares, plus its own data folder.</summary>
    public Dictionary<string, string> Environment(string node, string? connectionString = null)
    {
        string data = Path.Combine(Folder, "node-" + node);
        Directory.CreateDirectory(data);
        return new Dictionary<string, string>
        {
            ["OpenTfa__Storage__Provider"] = "postgres",
            ["OpenTfa__Storage__ConnectionString"] = connectionString ?? PooledConnectionString(ConnectionString),
            ["OpenTfa__Encryption__KeyFile"] = KeyFile,
            ["OpenTfa__BootstrapApiKey"] = ApiKey,
            ["OpenTfa__DataDirectory"] = data,
            ["OpenTfa__Delivery__PollInterval"] = "00:00:00.2",
        };
    }

    /// <summary>
    /// Starts one more node (a new process each time, also for a restart: it gets a new node id).
    /// <paramref name="settings"/> are added to, or override, the shared environment.
    /// </summary>
    public async Task<ServerNode> StartNodeAsync(string name, IReadOnlyDictionary<string, string>? settings = null, int? port = null, string? connectionString = null)
    {
        Dictionary<string, string> environment = Environment(name, connectionString);
        foreach ((string key, string value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        ServerNode node = await ServerNode.StartAsync(name, Folder, environment, ApiKey, port);
        lock (_nodes)
        {
            _started.Add(node);
            _nodes.Add(node);
        }

        return node;
    }

    /// <summary>Sends SIGTERM to a node, waits for it to exit and returns its exit code; the node leaves <see cref="Nodes"/>.</summary>
    public async Task<int> StopNodeAsync(ServerNode node, TimeSpan? timeout = null)
    {
        node.Terminate();
        int exit = await node.WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
        lock (_nodes)
        {
            _nodes.Remove(node);
        }

        return exit;
    }

    /// <summary>Every message the log channels of all nodes (running or stopped) printed.</summary>
    public IReadOnlyList<DeliveredMessage> Deliveries
    {
        get
        {
            lock (_nodes)
            {
                return _started.SelectMany(n => n.Deliveries).ToList();
            }
        }
    }

    private string StartedNodes()
    {
        lock (_nodes)
        {
            return string.Join("; ", _started);
        }
    }

    /// <summary>Waits until some node delivered a message to <paramref name="to"/> and returns its PIN.</summary>
    public async Task<string> WaitForPinAsync(string to, TimeSpan? timeout = null)
    {
        IReadOnlyList<DeliveredMessage> found = await WaitForDeliveriesAsync([to], timeout);
        return found.Single(d => d.To == to).Pin;
    }

    /// <summary>Waits until every destination given has at least one delivery, on any node; returns all deliveries to them.</summary>
    public async Task<IReadOnlyList<DeliveredMessage>> WaitForDeliveriesAsync(IReadOnlyCollection<string> destinations, TimeSpan? timeout = null)
    {
        var wanted = destinations.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<DeliveredMessage> all = await WaitForDeliveriesAsync(
            found => wanted.All(to => found.Any(d => d.To == to)),
            () => "no delivery to " + string.Join(", ", wanted.Where(to => !Deliveries.Any(d => d.To == to)).Take(10)),
            timeout);
        return all.Where(d => wanted.Contains(d.To)).ToList();
    }

    /// <summary>Waits until the deliveries of all nodes satisfy <paramref name="done"/>; returns them.</summary>
    public Task<IReadOnlyList<DeliveredMessage>> WaitForDeliveriesAsync(Func<IReadOnlyList<DeliveredMessage>, bool> done, Func<string> describe, TimeSpan? timeout = null) =>
        Poll.UntilAsync<IReadOnlyList<DeliveredMessage>>(
            () => Task.FromResult<IReadOnlyList<DeliveredMessage>>(Deliveries),
            done,
            timeout ?? TimeSpan.FromSeconds(30),
            _ => $"still {describe()}. Nodes: {StartedNodes()}");

    public async ValueTask DisposeAsync()
    {
        List<ServerNode> started;
        lock (_nodes)
        {
            started = [.. _started];
        }

        foreach (ServerNode node in started)
        {
            await node.DisposeAsync();
        }

        try
        {
            await _postgres.DropDatabaseAsync(DatabaseName);
        }
        catch (NpgsqlException)
        {
            // The server may be gone already; the database goes with it.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    /// <summary>A small pool per node, so that three nodes under a burst stay well within the server's connection limit.</summary>
    private static string PooledConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 40 }.ConnectionString;

    private void SortNodes()
    {
        lock (_nodes)
        {
            _nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }
    }
}
