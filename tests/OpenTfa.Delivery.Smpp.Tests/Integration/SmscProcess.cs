using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenTfa.Testing;

namespace OpenTfa.Delivery.Smpp.Tests.Integration;

/// <summary>
/// The SMSC simulator of tests/peers/smsc (node-smpp), run as a child process bound to
/// 127.0.0.1, with helpers for its HTTP control API. Disposing kills exactly its PID.
/// </summary>
public sealed partial class SmscProcess : IAsyncDisposable
{
    public const string SystemId = "opentfa";
    public const string Password = "secret";

    // Answers use snake_case (SMPP field names); requests keep the camelCase names of the mode keys.
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly JsonSerializerOptions RequestJson = new();
    private readonly PeerProcess _process;
    private readonly HttpClient _http;

    private SmscProcess(PeerProcess process, int port, int controlPort)
    {
        _process = process;
        Port = port;
        ControlPort = controlPort;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{controlPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public int ControlPort { get; }

    public int ProcessId => _process.Id;

    public static string Directory { get; } = Repository.Folder("tests/peers/smsc", "smsc.js");

    /// <summary>Installs node-smpp with npm when node_modules is missing; fails loudly when Node.js is absent.</summary>
    public static Task EnsureInstalledAsync() => NodePeer.EnsureInstalledAsync(Directory, "smpp");

    /// <summary>Starts the simulator; port 0 lets the OS choose. Returns once it printed its ready line.</summary>
    public static async Task<SmscProcess> StartAsync(int port = 0, int controlPort = 0)
    {
        await EnsureInstalledAsync();
        PeerProcess process = NodePeer.Start(Directory, "smsc.js",
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--control-port", controlPort.ToString(CultureInfo.InvariantCulture), "--system-id", SystemId, "--password", Password]);
        try
        {
            Match ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30));
            return new SmscProcess(process, int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(ready.Groups[2].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public Task ResetAsync() => PostAsync("reset", new { });

    public Task SetModeAsync(object mode) => PostAsync("mode", mode);

    public Task<List<SmscMessage>> GetMessagesAsync() => GetAsync<List<SmscMessage>>("messages");

    public Task<List<SmscBind>> GetBindsAsync() => GetAsync<List<SmscBind>>("binds");

    public Task<List<SmscUnbind>> GetUnbindsAsync() => GetAsync<List<SmscUnbind>>("unbinds");

    /// <summary>What the ESMEs answered to the SMSC's own requests (receipts, probes).</summary>
    public Task<List<SmscDelivered>> GetDeliveredAsync() => GetAsync<List<SmscDelivered>>("delivered");

    public async Task<List<SmscProbeResponse>> ProbeEnquireLinkAsync() =>
        await PostAsync<List<SmscProbeResponse>>("probe/enquire-link", new { });

    public async Task<List<SmscProbeResponse>> ProbeUnknownCommandAsync() =>
        await PostAsync<List<SmscProbeResponse>>("probe/unknown-command", new { });

    public async Task<SmscProbeResponse> SendMobileOriginatedAsync(string source, string destination, string text, bool ucs2 = false) =>
        await PostAsync<SmscProbeResponse>("mo", new { source, destination, text, ucs2 });

    /// <summary>Kills the simulator (exactly this PID) and waits for it to exit.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _http.Dispose();
    }

    public override string ToString() => $"SMSC simulator pid {ProcessId} smpp={Port} control={ControlPort}: {_process.Output}";

    private async Task<T> GetAsync<T>(string path) =>
        (await _http.GetFromJsonAsync<T>(path, Json))!;

    private async Task PostAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body, RequestJson);
        response.EnsureSuccessStatusCode();
    }

    private async Task<T> PostAsync<T>(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body, RequestJson);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    [GeneratedRegex(@"^listening smpp=(\d+) control=(\d+)$")]
    private static partial Regex ReadyLine();
}

public sealed class SmscMessage
{
    public string MessageId { get; init; } = string.Empty;

    public string? SystemId { get; init; }

    public string SourceAddr { get; init; } = string.Empty;

    public int SourceAddrTon { get; init; }

    public int SourceAddrNpi { get; init; }

    public string DestinationAddr { get; init; } = string.Empty;

    public int DestAddrTon { get; init; }

    public int DestAddrNpi { get; init; }

    public int EsmClass { get; init; }

    public int RegisteredDelivery { get; init; }

    public int DataCoding { get; init; }

    public string ShortMessage { get; init; } = string.Empty;

    public SmscUdh? Udh { get; init; }

    public string? Text { get; init; }
}

public sealed class SmscUdh
{
    public string Hex { get; init; } = string.Empty;

    public int? Reference { get; init; }

    public int? Total { get; init; }

    public int? Seq { get; init; }
}

public sealed class SmscBind
{
    public string Command { get; init; } = string.Empty;

    public string SystemId { get; init; } = string.Empty;

    public int CommandStatus { get; init; }

    public string Session { get; init; } = string.Empty;
}

public sealed class SmscUnbind
{
    public string? SystemId { get; init; }

    public string Session { get; init; } = string.Empty;
}

public sealed class SmscProbeResponse
{
    public string? Command { get; init; }

    public int? CommandStatus { get; init; }

    public bool? Timeout { get; init; }

    public bool? Sent { get; init; }
}

public sealed class SmscDelivered
{
    public string Kind { get; init; } = string.Empty;

    public string? MessageId { get; init; }

    public int? CommandStatus { get; init; }
}
