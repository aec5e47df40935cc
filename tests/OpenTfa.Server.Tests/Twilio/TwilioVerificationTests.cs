using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>Twilio's verification semantics over HTTP: starts, the same code again, checks, cancel and approve, the caps and their codes.</summary>
public sealed class TwilioVerificationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Start_AnswersAPendingVerificationAsTwilioShapesIt_AndSendsItsText()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply started = await client.StartedAsync(service, "+41793027001");

        JsonNode v = started.Json;
        Assert.Matches("^VE[0-9a-f]{32}$", v["sid"]!.GetValue<string>());
        Assert.Equal((service, "+41793027001", "sms", "pending", false), (v["service_sid"]!.GetValue<string>(), v["to"]!.GetValue<string>(),
            v["channel"]!.GetValue<string>(), v["status"]!.GetValue<string>(), v["valid"]!.GetValue<bool>()));
        Assert.Contains("\"to\":\"+41793027001\"", await started.Response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(v["amount"]);
        Assert.Empty(v["lookup"]!.AsObject());
        Assert.Matches("^VL[0-9a-f]{32}$", Assert.Single(v["send_code_attempts"]!.AsArray())!["attempt_sid"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", v["date_created"]!.GetValue<string>());
        Assert.EndsWith($"/v2/Services/{service}/Verifications/{v["sid"]}", v["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Matches(@"^Your Acme verification code is: \d{6}$", await Server.TextToAsync("41793027001"));
    }

    [Fact]
    public async Task Start_ToANumberWithAPendingVerification_SendsTheSameCodeAgain_AtMostFiveTimes()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027002")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027002"));

        Reply byCall = await client.StartedAsync(service, "+41793027002", ("Channel", "call"));
        for (int i = 3; i <= 5; i++)
        {
            await client.StartedAsync(service, "+41793027002");
        }

        Reply sixth = await client.StartAsync(service, "+41793027002");

        Assert.Equal(sid, byCall.Str("sid"));
        Assert.Equal("call", byCall.Str("channel"));
        Assert.Equal(["sms", "call"], byCall.Json["send_code_attempts"]!.AsArray().Select(a => a!["channel"]!.GetValue<string>()));
        Assert.Equal(code, TwilioApi.CodeIn(await Server.TextToAsync("41793027002", 2)));
        Assert.Equal(code, TwilioApi.CodeIn(await Server.TextToAsync("41793027002", 5)));
        sixth.IsError(HttpStatusCode.TooManyRequests, 60203);
        Assert.True(sixth.Response.Headers.RetryAfter is not null);
        Assert.Equal(5, (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Json["send_code_attempts"]!.AsArray().Count);
    }

    [Fact]
    public async Task Check_WrongThenRight_ApprovesOnce_ThenTheVerificationIsGone()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027003")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027003"));

        Reply wrong = await client.CheckAsync(service, ("To", "+41793027003"), ("Code", TwilioApi.Wrong(code)));
        Reply right = await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code));
        Reply again = await client.CheckAsync(service, ("To", "+41793027003"), ("Code", code));
        Reply fetched = await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}");
        Reply next = await client.StartedAsync(service, "+41793027003");

        Assert.Equal((HttpStatusCode.OK, "pending", false), (wrong.Status, wrong.Str("status"), wrong.Json["valid"]!.GetValue<bool>()));
        Assert.Equal((HttpStatusCode.OK, "approved", true, sid), (right.Status, right.Str("status"), right.Json["valid"]!.GetValue<bool>(), right.Str("sid")));
        again.IsError(HttpStatusCode.NotFound, 20404);
        fetched.IsError(HttpStatusCode.NotFound, 20404);
        Assert.NotEqual(sid, next.Str("sid"));
    }

    [Fact]
    public async Task Check_FiveWrongCodes_ReachMaxAttempts_ThenEveryCheckAnswers60202()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027004")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027004"));

        var statuses = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            statuses.Add((await client.CheckAsync(service, ("To", "+41793027004"), ("Code", TwilioApi.Wrong(code)))).Str("status"));
        }

        Reply sixth = await client.CheckAsync(service, ("To", "+41793027004"), ("Code", code));
        Reply bySid = await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code));

        Assert.Equal(["pending", "pending", "pending", "pending", "max_attempts_reached"], statuses);
        sixth.IsError(HttpStatusCode.TooManyRequests, 60202);
        bySid.IsError(HttpStatusCode.TooManyRequests, 60202);
        Assert.Equal("max_attempts_reached", (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Str("status"));
        Assert.NotEqual(sid, (await client.StartedAsync(service, "+41793027004")).Str("sid"));
    }

    [Fact]
    public async Task Update_CancelOrApprove_EndsTheVerification_AndOnlyAPendingOneCanBeUpdated()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string canceledSid = (await client.StartedAsync(service, "+41793027005")).Str("sid");
        string approvedSid = (await client.StartedAsync(service, "+41793027006")).Str("sid");

        Reply canceled = await client.PostFormAsync($"/v2/Services/{service}/Verifications/{canceledSid}", ("Status", "canceled"));
        Reply approved = await client.PostFormAsync($"/v2/Services/{service}/Verifications/{approvedSid}", ("Status", "approved"));

        Assert.Equal(("canceled", false), (canceled.Str("status"), canceled.Json["valid"]!.GetValue<bool>()));
        Assert.Equal(("approved", true), (approved.Str("status"), approved.Json["valid"]!.GetValue<bool>()));
        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{canceledSid}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.CheckAsync(service, ("To", "+41793027005"), ("Code", "123456"))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{service}/Verifications/{approvedSid}", ("Status", "canceled"))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{service}/Verifications/{approvedSid}", ("Status", "bogus"))).IsError(HttpStatusCode.BadRequest, 60200);
        Assert.NotEqual(canceledSid, (await client.StartedAsync(service, "+41793027005")).Str("sid"));

        // The engine sees the cancel: the PIN can no longer be verified on the Infobip surface either.
        Reply infobip = await Server.Client().VerifyAsync(TwilioApi.PinId(canceledSid), "123456");
        Assert.Equal("NO_MORE_PIN_ATTEMPTS", infobip.PinError);
    }

    [Fact]
    public async Task Start_ServiceAndVerificationOptions_ShapeTheText()
    {
        HttpClient client = Server.Twilio();
        string plain = await client.CreateServiceAsync(("CodeLength", "8"));
        string warned = await client.CreateServiceAsync(("DoNotShareWarningEnabled", "true"));
        string custom = await client.CreateServiceAsync(("CustomCodeEnabled", "true"));

        await client.StartedAsync(plain, "+41793027010", ("Locale", "de"));
        await client.StartedAsync(plain, "+41793027011", ("CustomFriendlyName", "Globex"));
        await client.StartedAsync(warned, "+41793027012", ("AppHash", "FA+9qCX9VSu"));
        await client.StartedAsync(custom, "+41793027013", ("CustomCode", "867530"));

        Assert.Matches(@"^Ihr Acme Verifizierungscode lautet: \d{8}$", await Server.TextToAsync("41793027010"));
        Assert.Matches(@"^Your Globex verification code is: \d{8}$", await Server.TextToAsync("41793027011"));
        string hashed = await Server.TextToAsync("41793027012");
        Assert.Contains("Don't share this code with anyone; our employees will never ask for the code.", hashed, StringComparison.Ordinal);
        Assert.EndsWith("\n\nFA+9qCX9VSu", hashed, StringComparison.Ordinal);
        Assert.Equal("867530", TwilioApi.CodeIn(await Server.TextToAsync("41793027013")));
        Assert.Equal("approved", (await client.CheckAsync(custom, ("To", "+41793027013"), ("Code", "867530"))).Str("status"));
    }

    [Fact]
    public async Task Start_BadParameters_AreRefusedByName_AndStoreNothing()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        (await client.PostFormAsync($"/v2/Services/{service}/Verifications", ("Channel", "sms"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "not a number")).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027020", ("Channel", "fax"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027020", ("Channel", "sna"))).IsError(HttpStatusCode.BadRequest, 60223);
        (await client.StartAsync(service, "+41793027020", ("Locale", "xx_1"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply custom = (await client.StartAsync(service, "+41793027020", ("CustomCode", "123456"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027020", ("Amount", "10"), ("Payee", "x"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027020", ("RateLimits", "not json"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027020", ("CustomMessage", "Hi"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.SendAsync(HttpMethod.Post, $"/v2/Services/{service}/Verifications", """{"To":"+41793027020"}""")).IsError(HttpStatusCode.BadRequest, 60200);

        Assert.Contains("CustomCode", custom.Str("message"), StringComparison.Ordinal);
        Reply status = await Server.Client().GetJsonAsync($"/2fa/2/applications/{service[2..].ToUpperInvariant()}/verifications?msisdn=41793027020");
        Assert.Empty(status.Json["verifications"]!.AsArray());
    }

    [Fact]
    public async Task Start_OnWhatsApp_GoesOutOnTheWhatsAppRoute()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply started = await client.StartAsync(service, "+41793027031", ("Channel", "whatsapp"));

        Assert.Equal(HttpStatusCode.Created, started.Status);
        Assert.Equal("whatsapp", started.Str("channel"));
        Assert.StartsWith("[opentfa:log] whatsapp to=41793027031 ", await Server.Deliveries.WaitForLineAsync("41793027031"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Psd2_TheCodeApprovesOnlyItsAmountAndPayee()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("Psd2Enabled", "true"));
        Reply started = await client.StartedAsync(service, "+41793027030", ("Amount", "€39.99"), ("Payee", "Acme Shop"));
        string text = await Server.TextToAsync("41793027030");

        Reply otherAmount = await client.CheckAsync(service, ("To", "+41793027030"), ("Code", TwilioApi.CodeIn(text)), ("Amount", "€99.99"), ("Payee", "Acme Shop"));
        Reply same = await client.CheckAsync(service, ("To", "+41793027030"), ("Code", TwilioApi.CodeIn(text)), ("Amount", "€39.99"), ("Payee", "Acme Shop"));

        Assert.Equal(("€39.99", "Acme Shop"), (started.Str("amount"), started.Str("payee")));
        Assert.Contains("Amount: €39.99. Payee: Acme Shop.", text, StringComparison.Ordinal);
        otherAmount.IsError(HttpStatusCode.BadRequest, 60200);
        Assert.Equal(("approved", "€39.99"), (same.Str("status"), same.Str("amount")));
    }

    [Fact]
    public async Task Lookup_NamesTheLineType_AndLandlinesCanBeSkippedForSms()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("LookupEnabled", "true"), ("SkipSmsToLandlines", "true"));

        Reply mobile = await client.StartedAsync(service, "+41793027040");
        Reply landline = await client.StartAsync(service, "+41446681800");

        Assert.Equal("mobile", mobile.Json["lookup"]!["carrier"]!["type"]!.GetValue<string>());
        landline.IsError(HttpStatusCode.BadRequest, 60205);
    }

    [Fact]
    public async Task Email_IsSentToTheAddress_AndCheckedByIt()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply started = await client.StartedAsync(service, "Jane.Doe@example.com", ("Channel", "email"));
        string line = await Server.Deliveries.WaitForLineAsync("jane.doe@example.com");
        string code = Regex.Match(line, @"\d{6}").Value;

        Assert.Equal(("email", "jane.doe@example.com"), (started.Str("channel"), started.Str("to")));
        Assert.Equal("approved", (await client.CheckAsync(service, ("To", "jane.doe@example.com"), ("Code", code))).Str("status"));
    }

    [Fact]
    public async Task Expiry_AfterTenMinutes_TheVerificationIsGone()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
        await using TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027050")).Str("sid");
        string code = TwilioApi.CodeIn(await server.TextToAsync("41793027050"));

        time.Advance(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(59));
        Assert.Equal("pending", (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Str("status"));
        time.Advance(TimeSpan.FromSeconds(1));

        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.CheckAsync(service, ("To", "+41793027050"), ("Code", code))).IsError(HttpStatusCode.NotFound, 20404);
        Assert.NotEqual(sid, (await client.StartedAsync(service, "+41793027050")).Str("sid"));
    }

    [Fact]
    public async Task OneEngine_ATwilioVerificationIsAnOpenTfaPinOnEverySurface()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027060")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027060"));
        await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code));
        HttpClient openTfa = Server.Client();

        JsonNode story = (await openTfa.GetJsonAsync($"/opentfa/v1/pins/{TwilioApi.PinId(sid)}").OkAsync()).Json;
        JsonArray messages = (await openTfa.GetJsonAsync($"/opentfa/v1/pins/{TwilioApi.PinId(sid)}/messages").OkAsync()).Json.AsArray();
        JsonArray status = (await openTfa.GetJsonAsync($"/2fa/2/applications/{TwilioApi.PinId(service)}/verifications?msisdn=41793027060").OkAsync()).Json["verifications"]!.AsArray();

        Assert.Equal("VERIFIED", Assert.Single(story["verifications"]!.AsArray())!["outcome"]!.GetValue<string>());
        Assert.Single(messages);
        Assert.True(Assert.Single(status)!["verified"]!.GetValue<bool>());
    }
}
