using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Client;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Client.Tests.Infrastructure;

/// <summary>
/// The real OpenTfa server on Kestrel, 127.0.0.1 and a port the OS picks, on its own data
/// folder; optionally with a fake clock. Restartable on the same data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly List<HttpClient> _clients = [];
    private WebApplication? _app;

    private TestServer(string dataDirectory, Dictionary<string, string?> settings, TimeProvider? time)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _time = time;
        Deliveries = new CapturedDeliveries(Path.Combine(dataDirectory, "deliveries.log"));
    }

    public string DataDirectory { get; }

    public CapturedDeliveries Deliveries { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["OpenTfa:DataDirectory"] = dir,
            ["OpenTfa:BootstrapApiKey"] = BootstrapKey,
            ["OpenTfa:Delivery:PollInterval"] = "00:00:00.100",
            ["OpenTfa:Delivery:RetryInitialDelay"] = "00:00:00.100",
            ["OpenTfa:MaxAuthFailuresPerMinute"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var server = new TestServer(dir, all, time);
        await server.StartAppAsync();
        return server;
    }

    private async Task StartAppAsync()
    {
        _app = OpenTfaHost.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(_settings);
            builder.Services.AddSingleton(new LogChannelOutput(TextWriter.Synchronized(Deliveries)));
            if (_time is not null)
            {
                builder.Services.AddSingleton(_time);
            }
        });
        await OpenTfaHost.InitializeAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    /// <summary>Stops the process's server and starts a new one on the same data folder.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    /// <summary>An <see cref="OpenTfaClient"/> presenting <paramref name="key"/> (none when null).</summary>
    public OpenTfaClient Client(string? key = BootstrapKey)
    {
        var http = new HttpClient();
        new OpenTfaClientOptions { BaseAddress = BaseAddress, ApiKey = key, Timeout = TimeSpan.FromSeconds(60) }.ApplyTo(http);
        lock (_clients)
        {
            _clients.Add(http);
        }

        return new OpenTfaClient(http);
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

    public async ValueTask DisposeAsync()
    {
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
        }

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
}
