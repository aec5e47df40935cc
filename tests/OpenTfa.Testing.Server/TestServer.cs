using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Testing.Server;

/// <summary>
/// The real OpenTfa server on Kestrel, 127.0.0.1 and a port the OS picks, on its own data
/// folder; optionally with a fake clock. Restartable on the same data.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly Action<IServiceCollection>? _services;
    private WebApplication? _app;

    private TestServer(string dataDirectory, Dictionary<string, string?> settings, TimeProvider? time, Action<IServiceCollection>? services)
    {
        DataDirectory = dataDirectory;
        _settings = settings;
        _time = time;
        _services = services;
        Deliveries = new CapturedDeliveries(Path.Combine(dataDirectory, "deliveries.log"));
    }

    public string DataDirectory { get; }

    public CapturedDeliveries Deliveries { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? time = null, Action<IServiceCollection>? services = null)
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

        var server = new TestServer(dir, all, time, services);
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

            _services?.Invoke(builder.Services);
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

    public HttpClient Client(string? key = BootstrapKey, string scheme = "App")
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(scheme, key);
        }

        return client;
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
