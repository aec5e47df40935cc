using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Core.Delivery;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Cli.Tests.Infrastructure;

/// <summary>
/// The real OpenTfa server on Kestrel, 127.0.0.1 and a port the OS picks, on its own data
/// folder.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string BootstrapKey = "test-bootstrap-key-0123456789abcdef";

    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
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

    /// <summary>Runs <c>opentfa</c> against this server with <paramref name="key"/> in OPENTFA_API_KEY.</summary>
    public Task<CliResult> RunAsync(params string[] args) => CliProcess.RunAsync(args, CliProcess.Env(BaseAddress.ToString(), BootstrapKey));

    public Task<CliResult> RunWithKeyAsync(string? key, params string[] args) => CliProcess.RunAsync(args, CliProcess.Env(BaseAddress.ToString(), key));

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
