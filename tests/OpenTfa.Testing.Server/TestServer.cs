using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Testing.Server;

/// <summary>
/// The real OpenTfa server on Kestrel in this process, on 127.0.0.1 and a port the OS picks (or
/// one given, for channels that must know OpenTfa's URL before it starts), on its own data folder.
/// Configurable with settings, services (a scripted channel), a fake clock and the store (SQLite in
/// the data folder, or a fresh database on a <see cref="PostgresServer"/>). Every log entry at
/// Warning or above is kept in <see cref="Logs"/>; what the log channel delivers, in
/// <see cref="Deliveries"/>. Restartable on the same data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly Action<IServiceCollection>? _services;
    private readonly int _port;
    private WebApplication? _app;

    private TestServer(string dataDirectory, Dictionary<string, string?> settings, TimeProvider? time, Action<IServiceCollection>? services, int port)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _time = time;
        _services = services;
        _port = port;
        Deliveries = new CapturedDeliveries(Path.Combine(dataDirectory, "deliveries.log"));
    }

    public string DataDirectory { get; }

    public CapturedDeliveries Deliveries { get; }

    /// <summary>The server's log entries at Warning and above, since it first started.</summary>
    public CapturedLogs Logs { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>
    /// Waits until the outbox and the webhook queue are empty: every message has had its last
    /// attempt and every webhook delivery its answer, so nothing more leaves this server until
    /// something new is sent. A message being attempted still counts as queued. The signal a
    /// test waits for before it asserts that something arrived once and only once.
    /// </summary>
    public Task WaitUntilQueuesDrainedAsync(TimeSpan? timeout = null)
    {
        IAnalyticsStore store = Services.GetRequiredService<IAnalyticsStore>();
        return Poll.UntilAsync(
            () => store.GetQueueStatsAsync(CancellationToken.None),
            q => q.OutboxQueued == 0 && q.WebhooksPending == 0,
            timeout ?? TimeSpan.FromSeconds(30),
            q => $"the queues drained; {q.OutboxQueued} message(s) and {q.WebhooksPending} webhook delivery(ies) still wait");
    }

    /// <summary>Starts a server. <paramref name="settings"/> override the test defaults (short delivery delays, the
    /// <see cref="BootstrapKey"/>, a roomy authentication-failure limit); <paramref name="port"/> 0 lets the OS choose;
    /// with <paramref name="postgres"/> the server stores in a fresh database there instead of SQLite.</summary>
    public static async Task<TestServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        Action<IServiceCollection>? services = null,
        int port = 0,
        PostgresServer? postgres = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenTfa:DataDirectory"] = dir,
            ["OpenTfa:BootstrapApiKey"] = BootstrapKey,
            ["OpenTfa:Delivery:PollInterval"] = "00:00:00.100",
            ["OpenTfa:Workflows:PollInterval"] = "00:00:00.100",
            ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:00.100",
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (postgres is not null)
        {
            all["OpenTfa:Storage:Provider"] = "postgres";
            all["OpenTfa:Storage:ConnectionString"] = await postgres.CreateDatabaseAsync();
            all["OpenTfa:Encryption:Key"] = $"k1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
        }

        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = new TestServer(dir, all, time, services, port);
        try
        {
            await server.StartAppAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client of a server at <paramref name="baseAddress"/> presenting <paramref name="key"/> (none when null).
    /// Every answer it receives is checked against the OpenAPI document (<see cref="OpenApiContract"/>).
    /// </summary>
    public static HttpClient ClientFor(Uri baseAddress, string? key = BootstrapKey, string scheme = "App")
    {
        var client = new HttpClient(new OpenApiContractHandler(new SocketsHttpHandler())) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, key);
        }

        return client;
    }

    public HttpClient Client(string? key = BootstrapKey, string scheme = "App") => ClientFor(BaseAddress, key, scheme);

    /// <summary>Stops the process's server and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS is removed with the temp folder later.
        }
    }

    private async Task StartAppAsync()
    {
        _app = OpenTfaHost.Build(["--urls", $"http://127.0.0.1:{_port}"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            builder.Logging.AddProvider(Logs);
            builder.Services.AddSingleton(new LogChannelOutput(TextWriter.Synchronized(Deliveries)));
            if (_time is not null)
            {
                builder.Services.AddSingleton(_time);
            }

            _services?.Invoke(builder.Services);
        });
        await OpenTfaHost.InitializeAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    private async Task StopAppAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}
