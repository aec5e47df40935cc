using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Server.Hosting;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>The real OpenTfa server on Kestrel, 127.0.0.1 and a port the OS picks, on its own data folder.</summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private InProcessServer(WebApplication app, string dataDirectory, Uri baseAddress)
    {
        this.app = app;
        DataDirectory = dataDirectory;
        BaseAddress = baseAddress;
    }

    public string DataDirectory { get; }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    public static async Task<InProcessServer> StartAsync(IDictionary<string, string?> settings)
    {
        string dir = Path.Combine(Path.GetTempPath(), "opentfa-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var all = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase) { ["OpenTfa:DataDirectory"] = dir };
        WebApplication app = OpenTfaHost.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(all));
        try
        {
            await OpenTfaHost.InitializeAsync(app, CancellationToken.None);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessServer(app, dir, new Uri(address));
    }

    public HttpClient Client(string? key = Settings.BootstrapKey) => Http.Client(BaseAddress, key);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the OS still holds goes with the temp folder later.
        }
    }
}

public static class Http
{
    public static HttpClient Client(Uri baseAddress, string? key = Settings.BootstrapKey)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
        }

        return client;
    }
}
