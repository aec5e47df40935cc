using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Twilio;

/// <summary>The finer rules of starts, fetches, updates and checks: what is refused by name, what spends an attempt, what the channel carries.</summary>
public sealed class TwilioVerificationRuleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    [Fact]
    public async Task Start_AgainBySms_ReusesTheSidWithASecondAttempt_AndSendsTheSameCode()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        Reply first = await client.StartedAsync(service, "+41793027401");

        Reply second = await client.StartedAsync(service, "+41793027401");

        Assert.Equal(first.Str("sid"), second.Str("sid"));
        JsonArray attempts = second.Json["send_code_attempts"]!.AsArray();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Matches("^VL[0-9a-f]{32}$", a!["attempt_sid"]!.GetValue<string>()));
        Assert.Equal(2, attempts.Select(a => a!["attempt_sid"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(["sms", "sms"], attempts.Select(a => a!["channel"]!.GetValue<string>()));
        Assert.Equal(TwilioApi.CodeIn(await Server.TextToAsync("41793027401")), TwilioApi.CodeIn(await Server.TextToAsync("41793027401", 2)));
        Assert.Null(second.Json["amount"]);
        Assert.Null(second.Json["payee"]);
    }

    [Fact]
    public async Task Start_ByCall_OnAPendingSmsVerification_IsDeliveredAsAVoiceMessage()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027402")).Str("sid");
        string bySms = await Server.Deliveries.WaitForLineAsync("41793027402");

        Reply byCall = await client.StartedAsync(service, "+41793027402", ("Channel", "call"));

        Assert.Equal((sid, "call"), (byCall.Str("sid"), byCall.Json["send_code_attempts"]![1]!["channel"]!.GetValue<string>()));
        Assert.StartsWith("[opentfa:log] sms ", bySms, StringComparison.Ordinal);
        Assert.StartsWith("[opentfa:log] voice ", await Server.Deliveries.WaitForLineAsync("41793027402", 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AfterFiveSends_RefusesEveryChannel_UntilTheVerificationExpires()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero));
        await using TestServer server = await TestServer.StartAsync(time: time);
        HttpClient client = server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027403")).Str("sid");
        for (int i = 2; i <= 5; i++)
        {
            await client.StartedAsync(service, "+41793027403");
        }

        time.Advance(TimeSpan.FromMinutes(4));
        Reply bySms = (await client.StartAsync(service, "+41793027403")).IsError(HttpStatusCode.TooManyRequests, 60203);
        (await client.StartAsync(service, "+41793027403", ("Channel", "call"))).IsError(HttpStatusCode.TooManyRequests, 60203);
        TimeSpan wait = bySms.Response.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(wait, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
        time.Advance(TimeSpan.FromMinutes(6));

        Reply fresh = await client.StartedAsync(service, "+41793027403");
        Assert.NotEqual(sid, fresh.Str("sid"));
        Assert.Single(fresh.Json["send_code_attempts"]!.AsArray());
    }

    [Fact]
    public async Task Start_WithoutToOrChannel_IsRefusedByTheParameterMissing()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply noTo = (await client.PostFormAsync($"/v2/Services/{service}/Verifications", ("Channel", "sms"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply noChannel = (await client.PostFormAsync($"/v2/Services/{service}/Verifications", ("To", "+41793027404"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply notANumber = (await client.StartAsync(service, "notanumber")).IsError(HttpStatusCode.BadRequest, 60200);

        Assert.Contains("`To`", noTo.Str("message"), StringComparison.Ordinal);
        Assert.Contains("`Channel`", noChannel.Str("message"), StringComparison.Ordinal);
        Assert.Contains("To", notANumber.Str("message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pt-BR", "41793027405", "^O seu código de verificação Acme é: \\d{6}$")]
    [InlineData("fr", "41793027406", "^Votre code de vérification Acme est : \\d{6}$")]
    [InlineData("ja", "41793027407", "^Your Acme verification code is: \\d{6}$")]
    public async Task Start_WithALocale_SendsItsLanguage_OrEnglishWhereThereIsNoText(string locale, string to, string text)
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        await client.StartedAsync(service, "+" + to, ("Locale", locale));

        Assert.Matches(text, await Server.TextToAsync(to));
    }

    [Fact]
    public async Task Start_InGermanWithTheWarning_WarnsInGerman()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("DoNotShareWarningEnabled", "true"));

        await client.StartedAsync(service, "+41793027408", ("Locale", "de"));

        Assert.Matches(@"^Ihr Acme Verifizierungscode lautet: \d{6}\nGeben Sie diesen Code an niemanden weiter", await Server.TextToAsync("41793027408"));
    }

    [Fact]
    public async Task Check_WithBothOrNeitherAddressOrWithoutACode_IsRefused_AndSpendsNoAttempt()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027410")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027410"));

        (await client.CheckAsync(service, ("To", "+41793027410"), ("VerificationSid", sid), ("Code", code))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.CheckAsync(service, ("Code", code))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply noCode = (await client.CheckAsync(service, ("VerificationSid", sid))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply shortCode = (await client.CheckAsync(service, ("VerificationSid", sid), ("Code", "12"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.CheckAsync(service, ("To", "not a number"), ("Code", code))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply approved = await client.CheckAsync(service, ("To", "+41793027410"), ("Code", code));

        Assert.Contains("`Code`", noCode.Str("message"), StringComparison.Ordinal);
        Assert.Contains("`Code`", shortCode.Str("message"), StringComparison.Ordinal);
        Assert.Equal(("approved", true, sid), (approved.Str("status"), approved.Json["valid"]!.GetValue<bool>(), approved.Str("sid")));
    }

    [Fact]
    public async Task Check_AnswersTheVerificationInTwiliosShape_WithALiteralPlusInTo()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027411")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027411"));

        Reply wrong = await client.CheckAsync(service, ("VerificationSid", sid), ("Code", TwilioApi.Wrong(code)));

        JsonNode c = wrong.Json;
        Assert.Equal((sid, service, "+41793027411", "sms", "pending", false), (c["sid"]!.GetValue<string>(), c["service_sid"]!.GetValue<string>(),
            c["to"]!.GetValue<string>(), c["channel"]!.GetValue<string>(), c["status"]!.GetValue<string>(), c["valid"]!.GetValue<bool>()));
        Assert.Contains("\"to\":\"+41793027411\"", await wrong.Response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(c["amount"]);
        Assert.Null(c["payee"]);
    }

    [Fact]
    public async Task Check_AfterMaxAttempts_Answers429WithRetryAfter()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027412")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027412"));
        for (int i = 0; i < 5; i++)
        {
            await client.CheckAsync(service, ("VerificationSid", sid), ("Code", TwilioApi.Wrong(code)));
        }

        Reply refused = (await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code))).IsError(HttpStatusCode.TooManyRequests, 60202);

        Assert.NotNull(refused.Response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Check_OfAnotherServicesVerification_IsNotFound_AndSpendsNothing()
    {
        HttpClient client = Server.Twilio();
        string mine = await client.CreateServiceAsync();
        string other = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(mine, "+41793027413")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027413"));

        (await client.CheckAsync(other, ("VerificationSid", sid), ("Code", code))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.CheckAsync(other, ("To", "+41793027413"), ("Code", code))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"/v2/Services/{other}/Verifications/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{other}/Verifications/{sid}", ("Status", "canceled"))).IsError(HttpStatusCode.NotFound, 20404);

        Assert.Equal("approved", (await client.CheckAsync(mine, ("VerificationSid", sid), ("Code", code))).Str("status"));
    }

    [Fact]
    public async Task Psd2_AMismatchedOrMissingTransaction_IsRefusedByName_AndTheRightOneStillApproves()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("Psd2Enabled", "true"));
        await client.StartedAsync(service, "+41793027414", ("Amount", "€39.99"), ("Payee", "Acme"));
        string text = await Server.TextToAsync("41793027414");
        string code = TwilioApi.CodeIn(text);

        Reply otherAmount = (await client.CheckAsync(service, ("To", "+41793027414"), ("Code", code), ("Amount", "€40.00"), ("Payee", "Acme"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply otherPayee = (await client.CheckAsync(service, ("To", "+41793027414"), ("Code", code), ("Amount", "€39.99"), ("Payee", "Evil"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply noAmount = (await client.CheckAsync(service, ("To", "+41793027414"), ("Code", code))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply same = await client.CheckAsync(service, ("To", "+41793027414"), ("Code", code), ("Amount", "€39.99"), ("Payee", "Acme"));

        Assert.Contains("Amount: €39.99. Payee: Acme.", text, StringComparison.Ordinal);
        Assert.Contains("`Amount`", otherAmount.Str("message"), StringComparison.Ordinal);
        Assert.Contains("`Payee`", otherPayee.Str("message"), StringComparison.Ordinal);
        Assert.Contains("`Amount`", noAmount.Str("message"), StringComparison.Ordinal);
        Assert.Equal(("approved", true, "€39.99", "Acme"), (same.Str("status"), same.Json["valid"]!.GetValue<bool>(), same.Str("amount"), same.Str("payee")));
    }

    [Fact]
    public async Task Psd2_ASecondStartForAnotherTransaction_IsRefused_AndTheCodeStillApprovesOnlyItsOwn()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("Psd2Enabled", "true"));
        await client.StartedAsync(service, "+41793027420", ("Amount", "€39.99"), ("Payee", "Acme"));
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027420"));

        Reply second = (await client.StartAsync(service, "+41793027420", ("Amount", "€500.00"), ("Payee", "Evil"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply samePayeeOtherAmount = (await client.StartAsync(service, "+41793027420", ("Amount", "€40.00"), ("Payee", "Acme"))).IsError(HttpStatusCode.BadRequest, 60200);
        Reply again = await client.StartedAsync(service, "+41793027420", ("Amount", "€39.99"), ("Payee", "Acme"));

        Assert.Contains("`Amount`", second.Str("message"), StringComparison.Ordinal);
        Assert.Contains("`Amount`", samePayeeOtherAmount.Str("message"), StringComparison.Ordinal);
        Assert.Equal(2, again.Json["send_code_attempts"]!.AsArray().Count);
        Assert.Contains("Amount: €39.99. Payee: Acme.", await Server.TextToAsync("41793027420", 2), StringComparison.Ordinal);
        Assert.Equal("approved", (await client.CheckAsync(service, ("To", "+41793027420"), ("Code", code), ("Amount", "€39.99"), ("Payee", "Acme"))).Str("status"));
    }

    [Fact]
    public async Task Psd2_AnAmountWithoutAPayee_IsRefused()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("Psd2Enabled", "true"));

        (await client.StartAsync(service, "+41793027415", ("Amount", "€1.00"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027415", ("Payee", "Acme"))).IsError(HttpStatusCode.BadRequest, 60200);
    }

    [Fact]
    public async Task Update_Approve_EndsTheVerification_ThenFetchAndCheckAre404()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027416")).Str("sid");
        string code = TwilioApi.CodeIn(await Server.TextToAsync("41793027416"));
        Reply pending = await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync();

        Reply approved = await client.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}", ("Status", "approved"));

        Assert.Equal(("pending", false), (pending.Str("status"), pending.Json["valid"]!.GetValue<bool>()));
        Assert.Equal((HttpStatusCode.OK, "approved", true, sid), (approved.Status, approved.Str("status"), approved.Json["valid"]!.GetValue<bool>(), approved.Str("sid")));
        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.CheckAsync(service, ("VerificationSid", sid), ("Code", code))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}", ("Status", "approved"))).IsError(HttpStatusCode.NotFound, 20404);
    }

    [Fact]
    public async Task Update_WithoutAStatusOrOfAnUnknownSid_IsRefused()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();
        string sid = (await client.StartedAsync(service, "+41793027417")).Str("sid");

        Reply noStatus = (await client.PostFormAsync($"/v2/Services/{service}/Verifications/{sid}")).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.PostFormAsync($"/v2/Services/{service}/Verifications/VE{new string('0', 32)}", ("Status", "canceled"))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.PostFormAsync($"/v2/Services/{service}/Verifications/not-a-sid", ("Status", "canceled"))).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/VE{new string('0', 32)}")).IsError(HttpStatusCode.NotFound, 20404);

        Assert.Contains("`Status`", noStatus.Str("message"), StringComparison.Ordinal);
        Assert.Equal("pending", (await client.GetJsonAsync($"/v2/Services/{service}/Verifications/{sid}").OkAsync()).Str("status"));
    }

    [Fact]
    public async Task Email_IsEchoedAsGiven_AndTheLogChannelSendsAnEmailToIt()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        Reply started = await client.StartedAsync(service, "user.7418@example.com", ("Channel", "email"));

        Assert.Equal(("pending", "email", "user.7418@example.com"), (started.Str("status"), started.Str("channel"), started.Str("to")));
        Assert.StartsWith("[opentfa:log] email to=user.7418@example.com ", await Server.Deliveries.WaitForLineAsync("user.7418@example.com"), StringComparison.Ordinal);
        Assert.Equal("email", Assert.Single(started.Json["send_code_attempts"]!.AsArray())!["channel"]!.GetValue<string>());
    }

    [Fact]
    public async Task UnknownPathsAndMethods_UnderV2_AnswerInTwiliosShape()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync();

        (await client.GetJsonAsync($"/v2/Services/{service}/Nothing")).IsError(HttpStatusCode.NotFound, 20404);
        (await client.GetJsonAsync($"/v2/Services/{service}/Verifications")).IsError(HttpStatusCode.MethodNotAllowed, 20004);
        (await client.SendAsync(HttpMethod.Put, $"/v2/Services/{service}", "FriendlyName=x", "application/x-www-form-urlencoded")).IsError(HttpStatusCode.MethodNotAllowed, 20004);
        (await client.GetJsonAsync("/v2/Services/not-a-sid")).IsError(HttpStatusCode.NotFound, 20404);
    }

    [Fact]
    public async Task CustomCode_MustBeDigitsOfACodesLength()
    {
        HttpClient client = Server.Twilio();
        string service = await client.CreateServiceAsync(("CustomCodeEnabled", "true"));

        (await client.StartAsync(service, "+41793027419", ("CustomCode", "12ab56"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027419", ("CustomCode", "123"))).IsError(HttpStatusCode.BadRequest, 60200);
        (await client.StartAsync(service, "+41793027419", ("CustomCode", "12345678901"))).IsError(HttpStatusCode.BadRequest, 60200);
    }
}
