using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenTfa.Client.Tests.Infrastructure;

/// <summary>
/// An e-mail body for e-mail templates to name as <c>emailTemplateId</c>. Servers without
/// e-mail bodies use a built-in one for any id, so there any positive id does.
/// </summary>
public static class EmailBodies
{
    public static async Task<long> CreateAsync(Uri baseAddress, string key)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
        using var content = new StringContent("""{"name":"login","subject":"Your code","text":"Your code is {{pin}}"}""", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync("opentfa/v1/email-bodies", content);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 1;
        }

        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"creating an e-mail body: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!["id"]!.GetValue<long>();
    }
}
