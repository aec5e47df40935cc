using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>Raw JSON calls to the server, so that tests see exactly what goes over the wire.</summary>
public static partial class Api
{

    public const string RoomyApplication =
        """{"name":"e2e","enabled":true,"configuration":{"allowMultiplePinVerifications":true,"pinAttempts":10,"pinTimeToLive":"15m","sendPinPerApplicationLimit":"100000/1d","sendPinPerPhoneNumberLimit":"100000/1d","verifyPinLimit":"100000/1d"}}""";

    public static async Task<(string App, string Template)> CreateAppAndTemplateAsync(this HttpClient client, string template = RawJson.SeedTemplate, string application = RoomyApplication)
    {
        string app = (await client.PostJsonAsync("/2fa/2/applications", application).OkAsync()).Str("applicationId");
        string messageId = (await client.PostJsonAsync($"/2fa/2/applications/{app}/messages", template).OkAsync()).Str("messageId");
        return (app, messageId);
    }

    public static Task<Reply> SendPinAsync(this HttpClient client, string app, string template, string to, string from = "InfoSMS") =>
        client.PostJsonAsync("/2fa/2/pin", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}","from":"{{from}}"}""");

    /// <summary>Sends a PIN and checks the answer says the SMS is on its way.</summary>
    public static async Task<string> SendPinOkAsync(this HttpClient client, string app, string template, string to)
    {
        Reply reply = await client.SendPinAsync(app, template, to).OkAsync();
        Assert.Equal("MESSAGE_SENT", reply.Str("smsStatus"));
        return reply.Str("pinId");
    }

    /// <summary>The one message of a PIN, as <c>GET /opentfa/v1/pins/{pinId}/messages</c> shows it.</summary>
    public static async Task<JsonNode> MessageStateAsync(this HttpClient client, string pinId)
    {
        Reply reply = await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages").OkAsync();
        return Assert.Single(reply.Json.AsArray())!;
    }

    /// <summary>Waits until the PIN's message reaches <paramref name="state"/>, and returns it.</summary>
    public static Task<JsonNode> WaitForStateAsync(this HttpClient client, string pinId, string state, int seconds = 30) =>
        Poll.UntilAsync(
            () => client.MessageStateAsync(pinId),
            last => last["state"]!.GetValue<string>() == state,
            TimeSpan.FromSeconds(seconds),
            last => $"The message of PIN {pinId} did not reach {state}; last seen: {last.ToJsonString()}");

    /// <summary>The channel named <paramref name="name"/> in <c>GET /opentfa/v1/channels</c>.</summary>
    public static async Task<JsonNode> ChannelAsync(this HttpClient client, string name = "carrier")
    {
        Reply reply = await client.GetJsonAsync("/opentfa/v1/channels").OkAsync();
        return reply.Json.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;
    }

    /// <summary>What the SMSC received for one destination, segments in order.</summary>
    public static async Task<List<SmscMessage>> ReceivedAsync(this SmscProcess smsc, string destination) =>
        (await smsc.GetMessagesAsync()).Where(m => m.DestinationAddr == destination).OrderBy(m => m.Udh?.Seq ?? 0).ToList();

    /// <summary>Waits for the SMSC to receive <paramref name="count"/> segments for <paramref name="destination"/>.</summary>
    public static async Task<List<SmscMessage>> WaitForReceivedAsync(this SmscProcess smsc, string destination, int count = 1)
    {
        await Poll.UntilAsync(async () => (await smsc.ReceivedAsync(destination)).Count >= count, TimeSpan.FromSeconds(30), () => $"{count} submit_sm to {destination} at the SMSC");
        return await smsc.ReceivedAsync(destination);
    }

    /// <summary>Waits for every segment of the one message to <paramref name="destination"/>, in order.</summary>
    public static async Task<List<SmscMessage>> WaitForAllSegmentsAsync(this SmscProcess smsc, string destination)
    {
        await Poll.UntilAsync(async () => await smsc.ReceivedAsync(destination) is { Count: > 0 } received && received.Count >= (received[0].Udh?.Total ?? 1),
            TimeSpan.FromSeconds(30),
            () => $"every segment to {destination} at the SMSC");
        return await smsc.ReceivedAsync(destination);
    }

    /// <summary>The PIN in a text rendered from <see cref="RawJson.SeedTemplate"/>.</summary>
    public static string PinIn(string? text)
    {
        Match match = SeedPin().Match(text ?? string.Empty);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException($"No PIN in '{text}'");
    }

    [GeneratedRegex("^Your pin is ([0-9]{4})$")]
    private static partial Regex SeedPin();
}
