using System.Net;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Endpoints;

public sealed class PinTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;
    private readonly HttpClient _client = fixture.Server.Client();

    [Theory]
    [InlineData("NUMERIC", 4, "^[0-9]{4}$")]
    [InlineData("ALPHA", 20, "^[A-Z]{20}$")]
    [InlineData("HEX", 8, "^[0-9A-F]{8}$")]
    [InlineData("ALPHANUMERIC", 12, "^[0-9A-Z]{12}$")]
    public async Task Send_EachPinType_DeliversAPinOfItsAlphabetAndLength(string type, int length, string pattern)
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(template: $$$"""{"messageText":"Code {{pin}}","pinType":"{{{type}}}","pinLength":{{{length}}}}""");
        string to = $"4179{length:D2}{type.Length:D2}001";
        string pinId = await _client.SendPinOkAsync(app, template, to);
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        Assert.Matches(pattern, pin);
        Assert.True((await _client.VerifyAsync(pinId, pin.ToLowerInvariant())).Json["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Send_NumberWrittenWithPlusAndSpaces_EchoesItAndCountsItAsTheSameNumber()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(Api.RoomyApplication(phoneLimit: "1/1d"));
        Reply first = await _client.SendPinAsync(app, template, "+41 79 300 00 11");
        Assert.Equal("+41 79 300 00 11", first.Str("to"));
        Assert.Contains("to=41793000011 ", await _server.Deliveries.WaitForLineAsync("41793000011"));
        Reply second = await _client.SendPinAsync(app, template, "0041793000011");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.Status);
    }

    [Fact]
    public async Task Send_NumberCheck_ImpossibleNumberIsNotSentButCounted()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply reply = await _client.SendPinAsync(app, template, "99912345678");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("NC_DESTINATION_NOT_REACHABLE", reply.Str("ncStatus"));
        Assert.Equal("MESSAGE_NOT_SENT", reply.Str("smsStatus"));
        Reply status = await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=99912345678&sent=false");
        Assert.Single(status.Json["verifications"]!.AsArray());

        Reply skipped = await _client.SendPinAsync(app, template, "41793000012", "/2fa/2/pin?ncNeeded=false");
        Assert.Null(skipped.Json["ncStatus"]);
        Assert.Equal("MESSAGE_SENT", skipped.Str("smsStatus"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.SendPinAsync(app, template, "41793000012", "/2fa/2/pin?ncNeeded=maybe")).Status);
    }

    [Theory]
    [InlineData("", "applicationId")]
    [InlineData(""","to":"not a number" """, "to")]
    [InlineData(""","placeholders":{"pin":"1234"}""", "placeholders.pin")]
    [InlineData(""","from":"Far too long sender id" """, "from")]
    public async Task Send_InvalidRequest_Answers400NamingTheField(string extra, string field)
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        string body = field == "applicationId"
            ? $$"""{"messageId":"{{template}}","to":"41793000013"}"""
            : $$"""{"applicationId":"{{app}}","messageId":"{{template}}"{{(field == "to" ? "" : ",\"to\":\"41793000013\"")}}{{extra}}}""";
        Reply reply = await _client.PostJsonAsync("/2fa/2/pin", body);
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.NotNull(reply.ServiceException["validationErrors"]![field]);
    }

    [Fact]
    public async Task Send_MissingPlaceholderValue_Answers400NamingIt()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync(template: """{"messageText":"Hello {{firstName}}, your pin is {{pin}}","pinType":"NUMERIC"}""");
        Reply reply = await _client.SendPinAsync(app, template, "41793000014");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.NotNull(reply.ServiceException["validationErrors"]!["placeholders.firstName"]);
        Reply ok = await _client.SendPinAsync(app, template, "41793000014", extra: ""","placeholders":{"firstName":"Zoë"}""");
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Contains("text=\"Hello Zoë, your pin is ", await _server.Deliveries.WaitForLineAsync("41793000014"));
    }

    [Fact]
    public async Task Send_UnknownTemplateOrDisabledApplication_IsRefused()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        Reply unknown = await _client.SendPinAsync(app, "0123456789ABCDEF0123456789ABCDEF", "41793000015");
        Assert.NotNull(unknown.ServiceException["validationErrors"]!["messageId"]);

        await _client.PutJsonAsync($"/2fa/2/applications/{app}", """{"name":"off","enabled":false}""");
        Reply disabled = await _client.SendPinAsync(app, template, "41793000015");
        Assert.Equal(HttpStatusCode.Forbidden, disabled.Status);
        Assert.Contains("disabled", disabled.ServiceException["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Resend_SamePinAndPinId_AlsoByVoice_ButNotByEmail()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        string pinId = await _client.SendPinOkAsync(app, template, "41793000016");
        string pin = await _server.Deliveries.WaitForPinAsync("41793000016");

        Reply resend = await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}");
        Assert.Equal(pinId, resend.Str("pinId"));
        Assert.Equal("MESSAGE_SENT", resend.Str("smsStatus"));
        Assert.Equal(pin, await _server.Deliveries.WaitForPinAsync("41793000016", 2));

        Reply voice = await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend/voice", "{}");
        Assert.Equal("PENDING_ACCEPTED", voice.Str("callStatus"));
        Assert.StartsWith("[opentfa:log] voice to=41793000016", await _server.Deliveries.WaitForLineAsync("41793000016", 3));

        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend/email", "{}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostJsonAsync("/2fa/2/pin/0123456789ABCDEF0123456789ABCDEF/resend", "{}")).Status);

        Assert.True((await _client.VerifyAsync(pinId, pin)).Json["verified"]!.GetValue<bool>());
        Reply afterVerify = await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, afterVerify.Status);
    }

    [Fact]
    public async Task Resend_WithoutBody_IsAccepted()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        string pinId = await _client.SendPinOkAsync(app, template, "41793000017");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2fa/2/pin/{pinId}/resend");
        HttpResponseMessage response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Email_SendResendAndVerify()
    {
        string app = await _client.CreateApplicationAsync(Api.RoomyApplication());
        long body = await _client.CreateEmailBodyAsync();
        string template = (await _client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinLength":6}""")).Str("messageId");
        Reply sent = await _client.SendPinAsync(app, template, "User@Example.com", "/2fa/2/pin/email");
        string pinId = sent.Str("pinId");
        string line = await _server.Deliveries.WaitForLineAsync("user@example.com");
        Assert.Matches("""^\[opentfa:log\] email to=user@example.com from=security@example.com subject="Your verification code" text="Your verification code is [0-9]{6}"$""", line);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend/email", "{}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend", "{}")).Status);
        string pin = await _server.Deliveries.WaitForPinAsync("user@example.com", 2);
        Assert.True((await _client.VerifyAsync(pinId, pin)).Json["verified"]!.GetValue<bool>());
        Assert.Equal(2, (await _client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Email_WithOwnBody_FillsSubjectTextAndEscapesPlaceholdersInHtml()
    {
        string app = await _client.CreateApplicationAsync(Api.RoomyApplication());
        long body = await _client.CreateEmailBodyAsync("""{"name":"login","subject":"Hi {{name}}, your code","text":"Code {{pin}} for {{name}}","html":"<p>Code <b>{{pin}}</b> for {{name}}</p>"}""");
        string template = (await _client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}}}""")).Str("messageId");

        Reply sent = await _client.SendPinAsync(app, template, "html@example.com", "/2fa/2/pin/email", extra: ""","placeholders":{"name":"<script>Zoë</script>"}""");
        Assert.Equal(HttpStatusCode.OK, sent.Status);
        string line = await _server.Deliveries.WaitForLineAsync("html@example.com");
        Assert.Contains("subject=\"Hi <script>Zoë</script>, your code\"", line);
        Assert.Matches("text=\"Code [0-9]{4} for <script>Zoë</script>\"$", line);

        Reply unknown = await _client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", """{"emailTemplateId":987654321}""");
        Assert.NotNull(unknown.ServiceException["validationErrors"]!["emailTemplateId"]);
        Assert.Equal("Hi {{name}}, your code", (await _client.GetJsonAsync($"/opentfa/v1/email-bodies/{body}")).Str("subject"));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJsonAsync("/opentfa/v1/email-bodies", """{"subject":"x","text":"no pin"}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PutJsonAsync($"/opentfa/v1/email-bodies/{body}", "{\"subject\":\"a\\r\\nBcc: x@y.z\"}")).Status);
        Assert.Equal("Updated", (await _client.PutJsonAsync($"/opentfa/v1/email-bodies/{body}", """{"subject":"Updated"}""")).Str("subject"));
    }

    [Fact]
    public async Task Verify_AllowMultiple_ReverifyingSucceeds_AndVerificationStatusFilters()
    {
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        string first = await _client.SendPinOkAsync(app, template, "41793000018");
        string pin = await _server.Deliveries.WaitForPinAsync("41793000018");
        await _client.SendPinOkAsync(app, template, "41793000018");
        Assert.True((await _client.VerifyAsync(first, pin)).Json["verified"]!.GetValue<bool>());
        Assert.True((await _client.VerifyAsync(first, pin)).Json["verified"]!.GetValue<bool>());

        var all = (await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=%2B41793000018")).Json["verifications"]!.AsArray();
        Assert.Equal(2, all.Count);
        Assert.False(all[0]!["verified"]!.GetValue<bool>());
        Assert.Null(all[0]!["verifiedAt"]);
        Assert.True(all[1]!["verified"]!.GetValue<bool>());
        Assert.Single((await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000018&verified=true")).Json["verifications"]!.AsArray());
        Assert.Single((await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications/?msisdn=41793000018&verified=false&sent=true")).Json["verifications"]!.AsArray());
        Assert.Empty((await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000018&sent=false")).Json["verifications"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetJsonAsync($"/2fa/2/applications/{app}/verifications")).Status);
    }

    [Fact]
    public async Task Verify_EmptyPinOrUnknownPinId_IsRefused()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.VerifyAsync("0123456789ABCDEF0123456789ABCDEF", "1234")).Status);
        (string app, string template) = await _client.CreateAppAndTemplateAsync();
        string pinId = await _client.SendPinOkAsync(app, template, "41793000019");
        Reply empty = await _client.PostJsonAsync($"/2fa/2/pin/{pinId}/verify", "{}");
        Assert.NotNull(empty.ServiceException["validationErrors"]!["pin"]);
    }
}
