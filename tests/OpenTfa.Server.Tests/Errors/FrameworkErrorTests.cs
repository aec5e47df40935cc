using System.Net;
using System.Text;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Errors;

/// <summary>What the framework would answer on its own is answered in the Infobip envelope on /2fa/2/*.</summary>
public sealed class FrameworkErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly HttpClient _client = fixture.Server.Client();

    [Fact]
    public async Task MalformedJson_Answers400Envelope()
    {
        Reply reply = await _client.PostJsonAsync("/2fa/2/applications", """{"name": "x",""");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST", reply.ErrorMessageId);
        Assert.Contains("malformed JSON", reply.ServiceException["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task WrongContentType_Answers400Envelope_AndStoresNothing()
    {
        int before = (await _client.GetJsonAsync("/2fa/2/applications")).Json.AsArray().Count;
        Reply reply = await _client.SendAsync(HttpMethod.Post, "/2fa/2/applications", """{"name":"x"}""", "text/plain");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("Content-Type", reply.ServiceException["text"]!.GetValue<string>());
        Assert.Equal(before, (await _client.GetJsonAsync("/2fa/2/applications")).Json.AsArray().Count);
    }

    [Fact]
    public async Task BodyOver64KB_Answers413Envelope()
    {
        string big = $$"""{"name":"{{new string('x', 70 * 1024)}}"}""";
        Reply reply = await _client.PostJsonAsync("/2fa/2/applications", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, reply.Status);
        Assert.Equal("BAD_REQUEST", reply.ErrorMessageId);
    }

    [Fact]
    public async Task UnknownRoute_Answers404Envelope_WrongMethod405Envelope()
    {
        Reply unknown = await _client.GetJsonAsync("/2fa/2/nowhere");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("NOT_FOUND", unknown.ErrorMessageId);
        Reply method = await _client.SendAsync(HttpMethod.Delete, "/2fa/2/applications");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.Status);
        Assert.Equal("BAD_REQUEST", method.ErrorMessageId);
    }

    [Fact]
    public async Task RepeatedAndTrailingSlashes_AreTolerated()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetJsonAsync(_server.BaseAddress.GetLeftPart(UriPartial.Authority) + "//2fa/2/applications")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetJsonAsync("/2fa/2/applications/")).Status);
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply send = await _client.SendPinAsync(app, template, "41793000201", "/2fa/2/pin/?ncNeeded=false");
        Assert.Equal(HttpStatusCode.OK, send.Status);
        Assert.Null(send.Json["ncStatus"]);
    }

    [Fact]
    public async Task GetWithJsonContentTypeAndNoBody_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/2fa/2/applications") { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        HttpResponseMessage response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ErrorTexts_AreReadableJson_WithoutEscapedQuotes()
    {
        HttpResponseMessage response = await _client.PostAsync("/2fa/2/applications",
            new StringContent("""{"name":"x","configuration":{"pinTimeToLive":"10x"}}""", Encoding.UTF8, "application/json"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("'10x'", text);
    }

    [Fact]
    public async Task Health_LiveAndReady_AnswerWithoutAKey_DetailsOnlyForTheOperator()
    {
        using var anonymous = TestServer.ClientFor(_server.BaseAddress, key: null);
        Assert.Equal("live", (await anonymous.GetJsonAsync("/health/live")).Str("status"));
        Reply ready = await anonymous.GetJsonAsync("/health/ready");
        Assert.Equal("ready", ready.Str("status"));
        Assert.Null(ready.Json["details"]);

        Reply detailed = await _server.Client().GetJsonAsync("/health/ready");
        Assert.Contains("development only", detailed.Json["details"]!["channel:log"]!.GetValue<string>());
    }
}
