using System.Net;
using System.Text;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Endpoints;

/// <summary>An Idempotency-Key makes client retries of sends and resends safe: never a second SMS.</summary>
public sealed class IdempotencyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly HttpClient _client = fixture.Server.Client();

    private Task<Reply> SendWithKeyAsync(string key, string body, string path = "/2fa/2/pin")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", key);
        return SendAsync(request);
    }

    private async Task<Reply> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            HttpResponseMessage response = await _client.SendAsync(request);
            string text = await response.Content.ReadAsStringAsync();
            return new Reply(response.StatusCode, text.Length == 0 ? null : System.Text.Json.Nodes.JsonNode.Parse(text), response);
        }
    }

    private static string Body(string app, string template, string to) => $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}"}""";

    [Fact]
    public async Task SameKeySameBody_ReturnsTheFirstAnswer_AndSendsOnce()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply first = await SendWithKeyAsync("retry-1", Body(app, template, "41793000801"));
        Reply again = await SendWithKeyAsync("retry-1", $$"""{ "to" : "41793000801", "messageId":"{{template}}",  "applicationId":"{{app}}" }""");

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Str("pinId"), again.Str("pinId"));
        Assert.Equal("true", again.Response.Headers.GetValues("Idempotency-Replayed").Single());
        await _server.Deliveries.WaitForLineAsync("41793000801");
        await _server.WaitUntilQueuesDrainedAsync();
        Assert.Single(_server.Deliveries.Lines, l => l.Contains("to=41793000801 ", StringComparison.Ordinal));
        Assert.Single((await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000801")).Json["verifications"]!.AsArray());
    }

    [Fact]
    public async Task SameKeyOtherBody_Answers422NamingTheReuse()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        await SendWithKeyAsync("reuse", Body(app, template, "41793000802"));
        Reply other = await SendWithKeyAsync("reuse", Body(app, template, "41793000803"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Equal("BAD_REQUEST", other.ErrorMessageId);
        Assert.Contains("Idempotency-Key 'reuse'", other.ServiceException["text"]!.GetValue<string>());
        Assert.DoesNotContain(_server.Deliveries.Lines, l => l.Contains("41793000803", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ConcurrentDuplicates_AllGetTheSamePin_AndOneSmsLeaves()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply[] replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendWithKeyAsync("burst", Body(app, template, "41793000804"))));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(replies.Select(r => r.Str("pinId")).Distinct());
        await _server.Deliveries.WaitForLineAsync("41793000804");
        await _server.WaitUntilQueuesDrainedAsync();
        Assert.Single(_server.Deliveries.Lines, l => l.Contains("to=41793000804 ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefusedAnswer_IsNotStored_SoTheRetryRuns()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        await _client.PutJsonAsync($"/2fa/2/applications/{app}", """{"name":"off","enabled":false}""");
        Assert.Equal(HttpStatusCode.Forbidden, (await SendWithKeyAsync("after-fix", Body(app, template, "41793000805"))).Status);

        await _client.PutJsonAsync($"/2fa/2/applications/{app}", """{"name":"on","enabled":true}""");
        Reply retried = await SendWithKeyAsync("after-fix", Body(app, template, "41793000805"));
        Assert.Equal(HttpStatusCode.OK, retried.Status);
        Assert.False(retried.Response.Headers.Contains("Idempotency-Replayed"));
    }

    [Fact]
    public async Task Keys_AreScopedPerEndpoint_AndWorkOnResend()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply sms = await SendWithKeyAsync("same", Body(app, template, "41793000806"));
        Reply voice = await SendWithKeyAsync("same", Body(app, template, "41793000806"), "/2fa/2/pin/voice");
        Assert.NotEqual(sms.Str("pinId"), voice.Str("pinId"));

        string pinId = sms.Str("pinId");
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync("resend-1", "{}", $"/2fa/2/pin/{pinId}/resend")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendWithKeyAsync("resend-1", "{}", $"/2fa/2/pin/{pinId}/resend")).Status);
        await _server.Deliveries.WaitForLineAsync("41793000806", 3);
        await _server.WaitUntilQueuesDrainedAsync();
        Assert.Equal(2, _server.Deliveries.Lines.Count(l => l.StartsWith("[opentfa:log] sms to=41793000806 ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task InvalidKey_Answers400NamingTheHeader()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply reply = await SendWithKeyAsync(new string('k', 300), Body(app, template, "41793000807"));
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.NotNull(reply.ServiceException["validationErrors"]!["Idempotency-Key"]);
    }
}
