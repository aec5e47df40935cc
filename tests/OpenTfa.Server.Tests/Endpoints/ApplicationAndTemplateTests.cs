using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Endpoints;

public sealed class ApplicationAndTemplateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _client = fixture.Server.Client();

    [Fact]
    public async Task CreateApplication_ConfigurationOmitted_AnswersEveryDefault()
    {
        Reply reply = await _client.PostJsonAsync("/2fa/2/applications", """{"name":"defaults"}""");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(reply.Json["enabled"]!.GetValue<bool>());
        Assert.Equal("""{"allowMultiplePinVerifications":true,"pinAttempts":10,"pinTimeToLive":"15m","sendPinPerApplicationLimit":"10000/1d","sendPinPerPhoneNumberLimit":"3/1d","verifyPinLimit":"1/3s"}""",
            reply.Json["configuration"]!.ToJsonString());
    }

    [Fact]
    public async Task GetListAndReplaceApplication_RoundTrip()
    {
        string id = await _client.CreateApplicationAsync();
        Assert.Equal("My 2FA application", (await _client.GetJsonAsync($"/2fa/2/applications/{id}")).Str("name"));
        Assert.Contains((await _client.GetJsonAsync("/2fa/2/applications")).Json.AsArray(), a => a!["applicationId"]!.GetValue<string>() == id);

        Reply put = await _client.PutJsonAsync($"/2fa/2/applications/{id}", """{"name":"renamed","enabled":false,"configuration":{"pinAttempts":3}}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.False(put.Json["enabled"]!.GetValue<bool>());
        Assert.Equal(3, put.Json["configuration"]!["pinAttempts"]!.GetValue<int>());
        Assert.Equal("15m", put.Json["configuration"]!["pinTimeToLive"]!.GetValue<string>());
        Assert.Equal("renamed", (await _client.GetJsonAsync($"/2fa/2/applications/{id}")).Str("name"));
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"x","configuration":{"pinAttempts":0}}""", "configuration.pinAttempts")]
    [InlineData("""{"name":"x","configuration":{"pinAttempts":"5"}}""", "configuration.pinAttempts")]
    [InlineData("""{"name":"x","configuration":{"pinAttempts":4.5}}""", "configuration.pinAttempts")]
    [InlineData("""{"name":"x","configuration":{"pinTimeToLive":"10x"}}""", "configuration.pinTimeToLive")]
    [InlineData("""{"name":"x","configuration":{"pinTimeToLive":"366d"}}""", "configuration.pinTimeToLive")]
    [InlineData("""{"name":"x","configuration":{"sendPinPerApplicationLimit":"0/1d"}}""", "configuration.sendPinPerApplicationLimit")]
    [InlineData("""{"name":"x","configuration":{"sendPinPerPhoneNumberLimit":"3"}}""", "configuration.sendPinPerPhoneNumberLimit")]
    [InlineData("""{"name":"x","configuration":{"verifyPinLimit":"3/2d"}}""", "configuration.verifyPinLimit")]
    [InlineData("""{"name":"x","enabled":"yes"}""", "enabled")]
    [InlineData("""{"name":"x","configuration":{"allowMultiplePinVerifications":1}}""", "configuration.allowMultiplePinVerifications")]
    public async Task CreateApplication_InvalidField_Answers400NamingTheField(string body, string field)
    {
        Reply reply = await _client.PostJsonAsync("/2fa/2/applications", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("BAD_REQUEST", reply.ErrorMessageId);
        Assert.True(reply.ServiceException["validationErrors"]![field] is JsonArray { Count: > 0 }, reply.ToString());
    }

    [Fact]
    public async Task ReplaceApplication_Invalid_ChangesNothing()
    {
        string id = await _client.CreateApplicationAsync();
        Reply put = await _client.PutJsonAsync($"/2fa/2/applications/{id}", """{"name":"new","configuration":{"pinAttempts":-1}}""");
        Assert.Equal(HttpStatusCode.BadRequest, put.Status);
        Reply get = await _client.GetJsonAsync($"/2fa/2/applications/{id}");
        Assert.Equal("My 2FA application", get.Str("name"));
        Assert.Equal(5, get.Json["configuration"]!["pinAttempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnknownApplication_Answers404()
    {
        Assert.Equal("NOT_FOUND", (await _client.GetJsonAsync("/2fa/2/applications/0123456789ABCDEF0123456789ABCDEF")).ErrorMessageId);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PutJsonAsync("/2fa/2/applications/nope", """{"name":"x"}""")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetJsonAsync("/2fa/2/applications/nope/messages")).Status);
    }

    [Fact]
    public async Task Templates_CreateGetListAndPartialUpdate()
    {
        string app = await _client.CreateApplicationAsync();
        string id = await _client.CreateTemplateAsync(app, """{"messageText":"Hi {{name}}, code {{pin}}","pinType":"ALPHANUMERIC","pinLength":8,"language":"pt-br","senderId":"Acme","repeatDTMF":"1#","speechRate":1.5,"voiceName":"Joanna","regional":{"indiaDlt":{"principalEntityId":"P1"}}}""");
        Reply got = await _client.GetJsonAsync($"/2fa/2/applications/{app}/messages/{id}");
        Assert.Equal("pt_br", got.Str("language"));
        Assert.Equal("1#", got.Str("repeatDTMF"));
        Assert.Equal(1.5, got.Json["speechRate"]!.GetValue<double>());
        Assert.Equal("P1", got.Json["regional"]!["indiaDlt"]!["principalEntityId"]!.GetValue<string>());

        Reply updated = await _client.PutJsonAsync($"/2fa/2/applications/{app}/messages/{id}", """{"pinLength":6}""");
        Assert.Equal(6, updated.Json["pinLength"]!.GetValue<int>());
        Assert.Equal("Hi {{name}}, code {{pin}}", updated.Str("messageText"));
        Assert.Equal("ALPHANUMERIC", updated.Str("pinType"));
        Assert.Single((await _client.GetJsonAsync($"/2fa/2/applications/{app}/messages")).Json.AsArray());
    }

    [Theory]
    [InlineData("""{"messageText":"no pin here","pinType":"NUMERIC"}""", "messageText")]
    [InlineData("""{"pinType":"NUMERIC"}""", "messageText")]
    [InlineData("""{"messageText":"{{pin}}"}""", "pinType")]
    [InlineData("""{"messageText":"{{pin}}","pinType":0}""", "pinType")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"numeric"}""", "pinType")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","pinLength":3}""", "pinLength")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","pinLength":21}""", "pinLength")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","language":"xx"}""", "language")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","speechRate":3}""", "speechRate")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","senderId":"Way too long sender"}""", "senderId")]
    [InlineData("""{"messageText":"{{pin}}","pinType":"NUMERIC","repeatDTMF":"abc"}""", "repeatDTMF")]
    public async Task CreateTemplate_InvalidField_Answers400NamingTheField(string body, string field)
    {
        string app = await _client.CreateApplicationAsync();
        Reply reply = await _client.PostJsonAsync($"/2fa/2/applications/{app}/messages", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.True(reply.ServiceException["validationErrors"]![field] is JsonArray { Count: > 0 }, reply.ToString());
    }

    [Fact]
    public async Task EmailTemplates_CreateUpdateAndAppearInTheTemplateList()
    {
        string app = await _client.CreateApplicationAsync();
        long body = await _client.CreateEmailBodyAsync();
        Reply created = await _client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"Jane Smith <jane@example.com>","pinLength":6}""");
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal("NUMERIC", created.Str("pinType"));
        string id = created.Str("messageId");
        Reply updated = await _client.PutJsonAsync($"/2fa/2/applications/{app}/email/messages/{id}", """{"pinType":"HEX"}""");
        Assert.Equal("HEX", updated.Str("pinType"));
        Assert.Equal(body, updated.Json["emailTemplateId"]!.GetValue<long>());
        Assert.Equal("HEX", (await _client.GetJsonAsync($"/2fa/2/applications/{app}/messages/{id}")).Str("pinType"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", """{"from":"x@example.com"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PutJsonAsync($"/2fa/2/applications/{app}/messages/{id}", """{"pinLength":6}""")).Status);
    }
}
