using System.Security.Cryptography;
using System.Text;

namespace OpenTfa.Delivery.Http.Tests.Infrastructure;

/// <summary>Twilio's request signature as its documentation defines it, written here independently of OpenTfa's.</summary>
public static class Signing
{
    public static string Twilio(string authToken, string url, IEnumerable<KeyValuePair<string, string>> form)
    {
        string data = url + string.Concat(form.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + p.Value));
#pragma warning disable CA5350 // Twilio's scheme is HMAC-SHA1.
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data)));
#pragma warning restore CA5350
    }

    public static HttpRequestMessage TwilioPost(string url, string authToken, IReadOnlyList<KeyValuePair<string, string>> form, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        request.Headers.TryAddWithoutValidation("X-Twilio-Signature", signature ?? Twilio(authToken, url, form));
        return request;
    }
}
