using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Http.Tests.Infrastructure;

/// <summary>
/// The fake of Meta's WhatsApp Cloud API in tests/peers/whatsapp-cloud, run as a child process on
/// 127.0.0.1, with its control calls: what it recorded, status webhooks it signs and posts, the
/// subscription handshake, scripted failures. Disposing kills exactly its PID.
/// </summary>
public sealed partial class WhatsAppCloud : IAsyncDisposable
{
    public const string Token = "wa-access-token-0123456789";
    public const string AppSecret = "wa-app-secret-0123456789";
    public const string PhoneNumberId = "105954558954427";
    public const string WabaId = "100000000000001";

    private readonly PeerProcess _process;
    private readonly HttpClient _http;

    private WhatsAppCloud(PeerProcess process, int port)
    {
        _process = process;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static string Directory { get; } = Repository.Folder("tests/peers/whatsapp-cloud", "whatsapp.js");

    public Uri BaseUrl { get; }

    /// <summary>Starts the fake with <paramref name="arguments"/> besides the token, app secret and ids above; fails saying what to do without Node.js.</summary>
    public static async Task<WhatsAppCloud> StartAsync(params string[] arguments)
    {
        await NodePeer.EnsureInstalledAsync(Directory);
        PeerProcess process = NodePeer.Start(Directory, "whatsapp.js",
            ["--token", Token, "--app-secret", AppSecret, "--phone-number-id", PhoneNumberId, "--waba-id", WabaId, .. arguments]);
        try
        {
            Match ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30));
            return new WhatsAppCloud(process, int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every provider-side request, in order, with the fake's reading of it and its answer.</summary>
    public async Task<JsonArray> RecordedAsync() => JsonNode.Parse(await _http.GetStringAsync(new Uri("_recorded", UriKind.Relative)))!.AsArray();

    /// <summary>The send requests for <paramref name="to"/> (as the channel wrote it), once there are <paramref name="count"/> of them.</summary>
    public async Task<IReadOnlyList<JsonNode>> SendsToAsync(string to, int count = 1)
    {
        List<JsonNode> sends = await Poll.UntilAsync(
            async () => (await RecordedAsync()).OfType<JsonNode>().Where(r => To(r) == to).ToList(),
            found => found.Count >= count,
            TimeSpan.FromSeconds(20),
            found => $"{count} send request(s) to {to}; the fake recorded {found.Count}: {string.Join(" | ", found.Select(f => f.ToJsonString()))}");
        return sends;
    }

    /// <summary>Has the fake sign and post a status notification; answers what the receiver said and what was sent.</summary>
    public Task<JsonNode> EmitAsync(JsonObject request) => ControlAsync("_emit", request);

    /// <summary>Has the fake perform the subscription handshake against <paramref name="url"/>.</summary>
    public Task<JsonNode> VerifyAsync(string url, string verifyToken) =>
        ControlAsync("_verify", new JsonObject { ["url"] = url, ["verifyToken"] = verifyToken });

    /// <summary>Scripts the answers of the next send requests (see NOTES.md).</summary>
    public Task FailAsync(JsonObject failure) => ControlAsync("_fail", failure);

    private async Task<JsonNode> ControlAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>The <c>to</c> of a recorded send request, read from its raw body (also for requests the fake refused).</summary>
    private static string? To(JsonNode recorded)
    {
        try
        {
            return JsonNode.Parse(recorded["body"]!.GetValue<string>())?["to"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"^listening http=(\d+)$")]
    private static partial Regex ReadyLine();
}
