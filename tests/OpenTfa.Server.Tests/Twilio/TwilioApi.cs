using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>Calls on the Twilio surface as Twilio's libraries make them: HTTP Basic, form-encoded bodies, raw JSON answers.</summary>
internal static partial class TwilioApi
{
    private const string Form = "application/x-www-form-urlencoded";

    /// <summary>A client authenticated with the bootstrap key as the operator tenant's auth token.</summary>
    public static HttpClient Twilio(this TestServer server, string? user = null, string key = TestServer.BootstrapKey)
    {
        HttpClient client = TestServer.ClientFor(server.BaseAddress, key: null);
        client.DefaultRequestHeaders.Authorization = Basic(user ?? TwilioSids.Account(Tenant.OperatorId), key);
        return client;
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>Posts <paramref name="fields"/> form-encoded, as Twilio's libraries do (space as %20, + as %2B).</summary>
    public static Task<Reply> PostFormAsync(this HttpClient client, string path, params (string Name, string Value)[] fields) =>
        client.SendAsync(HttpMethod.Post, path, string.Join('&', fields.Select(f => $"{f.Name}={Uri.EscapeDataString(f.Value)}")), Form);

    public static Task<Reply> RemoveAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Delete, path);

    public static async Task<string> CreateServiceAsync(this HttpClient client, params (string Name, string Value)[] settings)
    {
        Reply reply = await client.PostFormAsync("/v2/Services", [.. settings.Any(s => s.Name == "FriendlyName") ? [] : new[] { ("FriendlyName", "Acme") }, .. settings]);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply.Str("sid");
    }

    /// <summary>Starts an SMS verification; <paramref name="more"/> adds parameters or replaces <c>Channel</c>.</summary>
    public static Task<Reply> StartAsync(this HttpClient client, string service, string to, params (string Name, string Value)[] more) =>
        client.PostFormAsync($"/v2/Services/{service}/Verifications",
            [("To", to), .. more.Any(m => m.Name == "Channel") ? [] : new[] { ("Channel", "sms") }, .. more]);

    public static async Task<Reply> StartedAsync(this HttpClient client, string service, string to, params (string Name, string Value)[] more)
    {
        Reply reply = await client.StartAsync(service, to, more);
        Assert.True(reply.Status == HttpStatusCode.Created, reply.ToString());
        return reply;
    }

    public static Task<Reply> CheckAsync(this HttpClient client, string service, params (string Name, string Value)[] fields) =>
        client.PostFormAsync($"/v2/Services/{service}/VerificationCheck", fields);

    /// <summary>Asserts Twilio's error shape: the status, the code, and a more_info link to that code.</summary>
    public static Reply IsError(this Reply reply, HttpStatusCode status, int code)
    {
        Assert.True(reply.Status == status && reply.Json["code"]?.GetValue<int>() == code, reply.ToString());
        Assert.Equal((int)status, reply.Json["status"]!.GetValue<int>());
        Assert.Equal($"https://www.twilio.com/docs/errors/{code}", reply.Str("more_info"));
        Assert.False(string.IsNullOrWhiteSpace(reply.Str("message")));
        return reply;
    }

    /// <summary>The OpenTfa pinId of a verification SID.</summary>
    public static string PinId(string verificationSid) => verificationSid[2..].ToUpperInvariant();

    /// <summary>The text of the newest message the log channel delivered to <paramref name="to"/> (digits only).</summary>
    public static async Task<string> TextToAsync(this TestServer server, string to, int nth = 1)
    {
        string line = await server.Deliveries.WaitForLineAsync(to, nth);
        int start = line.IndexOf("text=\"", StringComparison.Ordinal) + 6;
        return System.Text.Json.JsonSerializer.Deserialize<string>(line[(start - 1)..])!;
    }

    /// <summary>The code in a verification's text (<c>…: 123456</c>).</summary>
    public static string CodeIn(string text) => CodeIs().Match(text).Groups[1].Value;

    /// <summary>A code of the same length that is not <paramref name="code"/>.</summary>
    public static string Wrong(string code) => code[0] == '0' ? "1" + code[1..] : "0" + code[1..];

    [GeneratedRegex(@": (\d{4,10})")]
    private static partial Regex CodeIs();
}
