using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenTfa.Delivery.Http.Tests.Infrastructure;

/// <summary>
/// The fake Telegram Gateway API of tests/peers/telegram-gateway as a child process on 127.0.0.1:
/// the provider's methods, plus its control side (what it was asked, the codes it holds, planned
/// failures, signed delivery reports posted on request). Disposing kills exactly its PID.
/// </summary>
public sealed partial class TelegramGatewayPeer : IAsyncDisposable
{
    public const string Token = "test-gateway-token-0123456789";

    private readonly PeerProcess _process;
    private readonly HttpClient _control;

    private TelegramGatewayPeer(PeerProcess process, int port)
    {
        _process = process;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        _control = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(15) };
    }

    public static string Directory { get; } = Repository.Folder("tests/peers/telegram-gateway", "gateway.js");

    public Uri BaseUrl { get; }

    /// <summary>Starts the fake; <paramref name="notOnTelegram"/> are numbers that <c>checkSendAbility</c> refuses.</summary>
    public static async Task<TelegramGatewayPeer> StartAsync(params string[] notOnTelegram)
    {
        await NodePeer.EnsureInstalledAsync(Directory);
        List<string> arguments = ["--token", Token, "--port", "0"];
        if (notOnTelegram.Length > 0)
        {
            arguments.AddRange(["--not-on-telegram", string.Join(',', notOnTelegram)]);
        }

        PeerProcess process = NodePeer.Start(Directory, "gateway.js", arguments);
        try
        {
            Match ready = await process.WaitForLineAsync(ReadyLine(), TimeSpan.FromSeconds(30));
            return new TelegramGatewayPeer(process, int.Parse(ready.Groups["port"].Value, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every provider-side call so far: <c>method</c>, <c>path</c>, <c>headers</c>, raw <c>body</c>, merged <c>params</c>, <c>response</c>.</summary>
    public async Task<IReadOnlyList<JsonNode>> RecordedAsync() =>
        (await _control.GetFromJsonAsync<JsonArray>("_recorded"))!.Select(n => n!).ToList();

    /// <summary>The calls of <paramref name="method"/> (case as sent) for <paramref name="phoneNumber"/> (E.164).</summary>
    public async Task<IReadOnlyList<JsonNode>> CallsAsync(string method, string phoneNumber) =>
        (await CallsAsync(phoneNumber)).Where(r => r["path"]!.GetValue<string>() == "/" + method).ToList();

    /// <summary>Every call for <paramref name="phoneNumber"/> (E.164), whatever the method.</summary>
    public async Task<IReadOnlyList<JsonNode>> CallsAsync(string phoneNumber) =>
        (await RecordedAsync()).Where(r => r["params"]?["phone_number"]?.GetValue<string>() == phoneNumber).ToList();

    /// <summary>The verification requests the fake holds, with the code each carries.</summary>
    public async Task<JsonNode> RequestAsync(string requestId) =>
        (await _control.GetFromJsonAsync<JsonArray>("_requests"))!.Single(r => r!["requestId"]!.GetValue<string>() == requestId)!;

    /// <summary>The next <paramref name="times"/> calls of <paramref name="method"/> fail with <paramref name="error"/> and HTTP <paramref name="status"/>.</summary>
    public async Task FailAsync(string method, string error, int status, int times = 1)
    {
        using HttpResponseMessage response = await _control.PostAsJsonAsync("_fail", new { method, error, status, times });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Has the fake post a delivery report for <paramref name="requestId"/> to its callback_url; returns the receiver's HTTP status.</summary>
    /// <param name="token">The token to sign with instead of the right one.</param>
    /// <param name="timestamp">The X-Request-Timestamp (signed) instead of now.</param>
    /// <param name="withoutSignature">Leave X-Request-Signature out.</param>
    public async Task<int> EmitAsync(string requestId, string status, string? token = null, long? timestamp = null, bool withoutSignature = false)
    {
        var body = new JsonObject { ["requestId"] = requestId, ["status"] = status };
        if (token is not null)
        {
            body["token"] = token;
        }

        if (timestamp is not null)
        {
            body["timestamp"] = timestamp;
        }

        if (withoutSignature)
        {
            body["signature"] = null;
        }

        using HttpResponseMessage response = await _control.PostAsync("_emit", new StringContent(body.ToJsonString()));
        JsonNode answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, $"the fake could not emit the report: {answer.ToJsonString()}");
        return answer["status"]!.GetValue<int>();
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        await _process.DisposeAsync();
    }

    [GeneratedRegex(@"listening http=(?<port>\d+)")]
    private static partial Regex ReadyLine();
}
