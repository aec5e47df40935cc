using System.Net;
using System.Text.Json.Nodes;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Endpoints;

/// <summary>The flow from Infobip's SDK page, over HTTP, with every response shape checked against the contract's types.</summary>
public sealed class SeedFlowTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task SeedFlow_CreateSendVerifyStatus_AnswersTheContractShapes()
    {
        HttpClient client = _server.Client();
        Reply app = await client.PostJsonAsync("/2fa/2/applications",
            """{"name":"My 2FA application","configuration":{"allowMultiplePinVerifications":true,"pinAttempts":5,"pinTimeToLive":"10m","sendPinPerApplicationLimit":"2/4s","sendPinPerPhoneNumberLimit":"2/1d","verifyPinLimit":"5000/12h"}}""");
        Assert.Equal(HttpStatusCode.OK, app.Status);
        Assert.Equal("application/json", app.Response.Content.Headers.ContentType!.MediaType);
        Golden.Shape(app.Json, """{"applicationId":"id","name":"string","enabled":"bool","configuration":{"allowMultiplePinVerifications":"bool","pinAttempts":"int","pinTimeToLive":"string","sendPinPerApplicationLimit":"string","sendPinPerPhoneNumberLimit":"string","verifyPinLimit":"string"}}""");
        Assert.True(app.Json["enabled"]!.GetValue<bool>());
        Assert.Equal(5, app.Json["configuration"]!["pinAttempts"]!.GetValue<int>());
        Assert.Equal("2/4s", app.Json["configuration"]!["sendPinPerApplicationLimit"]!.GetValue<string>());
        string appId = app.Str("applicationId");

        Reply template = await client.PostJsonAsync($"/2fa/2/applications/{appId}/messages", RawJson.SeedTemplate);
        Assert.Equal(HttpStatusCode.OK, template.Status);
        Golden.Shape(template.Json, """{"messageId":"id","applicationId":"id","messageText":"string","pinPlaceholder":"string","pinLength":"int","pinType":"string","language":"string"}""");
        Assert.Equal("{{pin}}", template.Str("pinPlaceholder"));
        Assert.Equal("NUMERIC", template.Str("pinType"));
        string messageId = template.Str("messageId");

        Reply send = await client.PostJsonAsync("/2fa/2/pin",
            $$$"""{"applicationId":"{{{appId}}}","messageId":"{{{messageId}}}","to":"41793026727","from":"InfoSMS","placeholders":{"firstName":"John"}}""");
        Assert.Equal(HttpStatusCode.OK, send.Status);
        Golden.Shape(send.Json, """{"pinId":"id","to":"string","ncStatus":"string","smsStatus":"string"}""");
        Assert.Equal("MESSAGE_SENT", send.Str("smsStatus"));
        Assert.Equal("NC_NOT_CONFIGURED", send.Str("ncStatus"));
        Assert.Equal("41793026727", send.Str("to"));
        string pinId = send.Str("pinId");

        string line = await _server.Deliveries.WaitForLineAsync("41793026727");
        Assert.Matches("""^\[opentfa:log\] sms to=41793026727 from=InfoSMS text="Your pin is [0-9]{4}"$""", line);
        string pin = await _server.Deliveries.WaitForPinAsync("41793026727");

        Reply wrong = await client.VerifyAsync(pinId, pin == "0000" ? "1111" : "0000");
        Golden.Shape(wrong.Json, """{"pinId":"id","msisdn":"string","verified":"bool","attemptsRemaining":"int","pinError":"string"}""");
        Assert.False(wrong.Json["verified"]!.GetValue<bool>());
        Assert.Equal("WRONG_PIN", wrong.Str("pinError"));
        Assert.Equal(4, wrong.Json["attemptsRemaining"]!.GetValue<int>());

        Reply right = await client.VerifyAsync(pinId, pin);
        Golden.Shape(right.Json, """{"pinId":"id","msisdn":"string","verified":"bool","attemptsRemaining":"int"}""");
        Assert.True(right.Json["verified"]!.GetValue<bool>());
        Assert.Equal("41793026727", right.Str("msisdn"));

        Reply status = await client.GetJsonAsync($"/2fa/2/applications/{appId}/verifications?msisdn=41793026727");
        Assert.Equal(HttpStatusCode.OK, status.Status);
        JsonArray verifications = status.Json["verifications"]!.AsArray();
        Assert.Single(verifications);
        Golden.Shape(verifications[0]!, """{"msisdn":"string","verified":"bool","verifiedAt":"long","sentAt":"long"}""");
        Assert.True(verifications[0]!["verifiedAt"]!.GetValue<long>() >= verifications[0]!["sentAt"]!.GetValue<long>());
    }

    [Fact]
    public async Task GoldenShapes_VoiceEmailTemplatesAndErrors_MatchTheContract()
    {
        HttpClient client = _server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        Reply voice = await client.SendPinAsync(app, template, "41793026728", "/2fa/2/pin/voice");
        Golden.Shape(voice.Json, """{"pinId":"id","to":"string","callStatus":"string"}""");
        Assert.Equal("PENDING_ACCEPTED", voice.Str("callStatus"));

        long body = await client.CreateEmailBodyAsync();
        Reply emailTemplate = await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"company@example.com"}""");
        Golden.Shape(emailTemplate.Json, """{"messageId":"id","applicationId":"id","pinLength":"int","pinType":"string","emailTemplateId":"long","from":"string"}""");
        Reply email = await client.SendPinAsync(app, emailTemplate.Str("messageId"), "John.Doe@Example.com", "/2fa/2/pin/email");
        Golden.Shape(email.Json, """{"pinId":"id","to":"string","emailStatus":{"name":"string","description":"string"}}""");
        Assert.Equal("PENDING_ACCEPTED", email.Json["emailStatus"]!["name"]!.GetValue<string>());
        Assert.Equal("John.Doe@Example.com", email.Str("to"));

        Reply error = await client.PostJsonAsync("/2fa/2/applications", """{"configuration":{}}""");
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Golden.Shape(error.Json, """{"requestError":{"serviceException":{"messageId":"string","text":"string","validationErrors":{"name":["string"]}}}}""");
    }
}

/// <summary>Checks a JSON value against a shape: exact key set, and each value's JSON type (ids are 32 upper-case hex strings).</summary>
public static class Golden
{
    public static void Shape(JsonNode actual, string shape) => Check(actual, JsonNode.Parse(shape)!, "$");

    private static void Check(JsonNode? actual, JsonNode expected, string path)
    {
        switch (expected)
        {
            case JsonObject o:
                JsonObject a = Assert.IsType<JsonObject>(actual);
                Assert.True(o.Select(p => p.Key).Order().SequenceEqual(a.Select(p => p.Key).Order()),
                    $"{path}: keys {string.Join(",", a.Select(p => p.Key))} expected {string.Join(",", o.Select(p => p.Key))}");
                foreach ((string key, JsonNode? value) in o)
                {
                    Check(a[key], value!, $"{path}.{key}");
                }

                break;
            case JsonArray arr:
                foreach (JsonNode? item in Assert.IsType<JsonArray>(actual))
                {
                    Check(item, arr[0]!, $"{path}[]");
                }

                break;
            default:
                string kind = expected.GetValue<string>();
                Assert.True(actual is JsonValue, $"{path}: expected {kind}, got {actual?.ToJsonString() ?? "null"}");
                JsonValue v = (JsonValue)actual!;
                bool ok = kind switch
                {
                    "id" => v.TryGetValue(out string? s) && s.Length == 32 && s.All(c => char.IsAsciiHexDigitUpper(c) || char.IsAsciiDigit(c)),
                    "string" => v.TryGetValue(out string? _),
                    "bool" => v.TryGetValue(out bool _),
                    "int" => v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue(out int _) && !v.ToJsonString().Contains('.'),
                    "long" => v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue(out long _) && !v.ToJsonString().Contains('.'),
                    _ => false,
                };
                Assert.True(ok, $"{path}: expected {kind}, got {v.ToJsonString()}");
                break;
        }
    }
}
