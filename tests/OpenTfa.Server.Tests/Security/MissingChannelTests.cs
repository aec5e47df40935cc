using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Server.Tests.Twilio;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// The log channel prints PINs to standard output, so it stands in for a kind only when the
/// server has no channel that delivers; otherwise a kind without a channel is refused.
/// </summary>
public sealed class MissingChannelTests
{
    /// <summary>An SMS channel that delivers (an HTTP gateway nobody listens to); nothing else configured.</summary>
    private static Dictionary<string, string?> SmsOnly() => new()
    {
        ["OpenTfa:Channels:gateway:Type"] = "webhook",
        ["OpenTfa:Channels:gateway:Url"] = "http://127.0.0.1:9/sms",
        ["OpenTfa:Channels:gateway:Secret"] = "gateway-secret-0123456789",
    };

    [Fact]
    public async Task VoiceAndEmailSends_WithOnlyAnSmsChannel_Are400_AndNothingIsPrintedStoredOrCounted()
    {
        await using TestServer server = await TestServer.StartAsync(SmsOnly());
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(phoneLimit: "1/1d"));

        Reply voice = await client.SendPinAsync(app, template, "41793000901", "/2fa/2/pin/voice");
        Assert.Equal(HttpStatusCode.BadRequest, voice.Status);
        Assert.Equal("BAD_REQUEST", voice.ErrorMessageId);
        Assert.Equal("No voice channel is configured on this server", voice.ServiceException["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendPinAsync(app, template, "41793000901", "/2fa/2/pin/voice")).Status);

        long body = await client.CreateEmailBodyAsync();
        string emailTemplate = (await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinLength":6}""")).Str("messageId");
        Reply email = await client.SendPinAsync(app, emailTemplate, "user@example.com", "/2fa/2/pin/email");
        Assert.Equal(HttpStatusCode.BadRequest, email.Status);
        Assert.Equal("No e-mail channel is configured on this server", email.ServiceException["text"]!.GetValue<string>());

        // The refused sends stored no PIN and used none of the one send a day the number has.
        Reply status = await client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000901");
        Assert.Empty(status.Json["verifications"]!.AsArray());
        string pinId = await client.SendPinOkAsync(app, template, "41793000901");
        Assert.Single((await client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000901")).Json["verifications"]!.AsArray());

        Reply resend = await client.PostJsonAsync($"/2fa/2/pin/{pinId}/resend/voice", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, resend.Status);
        Assert.Equal("No voice channel is configured on this server", resend.ServiceException["text"]!.GetValue<string>());
        Assert.Single((await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json.AsArray());

        Assert.Empty(server.Deliveries.Lines);
    }

    [Fact]
    public async Task WhatsAppAndTelegram_WithoutAChannel_AreRefusedByName_WhereverAsked()
    {
        await using TestServer server = await TestServer.StartAsync(SmsOnly());
        HttpClient client = server.Client();
        (string app, _) = await client.CreateAppAndTemplateAsync();

        Reply workflow = await client.PutJsonAsync($"/opentfa/v1/applications/{app}/workflow",
            """{"steps":[{"channel":"whatsapp","waitSeconds":30},{"channel":"telegram","waitSeconds":30},{"channel":"sms"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, workflow.Status);
        Assert.Equal("no channel on this server carries WhatsApp", workflow.Json["errors"]!["steps[0].channel"]![0]!.GetValue<string>());
        Assert.Equal("no channel on this server carries Telegram", workflow.Json["errors"]!["steps[1].channel"]![0]!.GetValue<string>());
        Assert.Null(workflow.Json["errors"]!["steps[2].channel"]);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync($"/opentfa/v1/applications/{app}/workflow")).Status);

        HttpClient twilio = server.Twilio();
        string service = "VA" + app.ToLowerInvariant();
        (await twilio.StartAsync(service, "+41793000911", ("Channel", "whatsapp"))).IsError(HttpStatusCode.BadRequest, 60223);
        Assert.Empty((await client.GetJsonAsync($"/2fa/2/applications/{app}/verifications?msisdn=41793000911")).Json["verifications"]!.AsArray());
    }

    [Fact]
    public async Task StartUp_WithKindsWithoutChannel_WarnsNamingThem_AndHealthAndChannelsShowThem()
    {
        await using TestServer server = await TestServer.StartAsync(SmsOnly());
        CapturedLogs logs = server.Logs;
        HttpClient client = server.Client();

        List<string> warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, w => w.StartsWith("No Voice channel is configured", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("No Email channel is configured", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.StartsWith("No Sms channel", StringComparison.Ordinal));
        Assert.DoesNotContain(warnings, w => w.Contains("DEVELOPMENT DELIVERY", StringComparison.Ordinal));

        JsonNode details = (await client.GetJsonAsync("/health/ready")).Json["details"]!;
        Assert.Equal("no channel: sends of this kind are refused", details["route:voice"]!.GetValue<string>());
        Assert.Equal("no channel: sends of this kind are refused", details["route:email"]!.GetValue<string>());
        Assert.Null(details["route:sms"]);

        JsonArray channels = (await client.GetJsonAsync("/opentfa/v1/channels")).Json.AsArray();
        JsonNode voice = Assert.Single(channels, c => c!["name"]!.GetValue<string>() == "none:voice")!;
        Assert.Equal("MISSING", voice["state"]!.GetValue<string>());
        Assert.Equal("voice", Assert.Single(voice["kinds"]!.AsArray())!.GetValue<string>());
        Assert.Contains(channels, c => c!["name"]!.GetValue<string>() == "none:email");
        Assert.Contains(channels, c => c!["name"]!.GetValue<string>() == "gateway");
    }

    [Fact]
    public async Task LogChannel_NamedInARouteBesideARealChannel_KeepsItsKind_AndStartUpWarns()
    {
        Dictionary<string, string?> settings = SmsOnly();
        settings["OpenTfa:Channels:dev:Type"] = "log";
        settings["OpenTfa:Routes:Voice:0"] = "dev";
        settings["OpenTfa:Routes:Applications:SOMEAPP:Email:0"] = "dev";
        await using TestServer server = await TestServer.StartAsync(settings);
        CapturedLogs logs = server.Logs;
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000902", "/2fa/2/pin/voice")).Status);
        Assert.StartsWith("[opentfa:log] voice to=41793000902", await server.Deliveries.WaitForLineAsync("41793000902"));

        List<string> warnings = logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Contains(warnings, w => w.Contains("OpenTfa:Routes:Voice names the log channel 'dev'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("OpenTfa:Routes:Applications:SOMEAPP:Email names the log channel 'dev'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("No Email channel is configured", StringComparison.Ordinal));

        // A log channel no route names does not fill in for e-mail.
        long body = await client.CreateEmailBodyAsync();
        string emailTemplate = (await client.PostJsonAsync($"/2fa/2/applications/{app}/email/messages", $$"""{"emailTemplateId":{{body}},"from":"security@example.com","pinLength":6}""")).Str("messageId");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendPinAsync(app, emailTemplate, "user@example.com", "/2fa/2/pin/email")).Status);
    }

    [Fact]
    public async Task LogChannel_ConfiguredButNamedInNoRoute_PrintsNothing_AndStartUpDoesNotWarn()
    {
        Dictionary<string, string?> settings = SmsOnly();
        settings["OpenTfa:Channels:dev:Type"] = "log";
        await using TestServer server = await TestServer.StartAsync(settings);
        CapturedLogs logs = server.Logs;
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000905")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendPinAsync(app, template, "41793000905", "/2fa/2/pin/voice")).Status);

        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("DEVELOPMENT DELIVERY", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("No Voice channel is configured", StringComparison.Ordinal));
        Assert.Empty(server.Deliveries.Lines);
    }

    [Fact]
    public async Task NoChannelsConfigured_TheLogChannelCarriesEveryKind()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?>());
        CapturedLogs logs = server.Logs;
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000903", "/2fa/2/pin/voice")).Status);
        Assert.StartsWith("[opentfa:log] voice to=41793000903", await server.Deliveries.WaitForLineAsync("41793000903"));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("DEVELOPMENT DELIVERY: messages go to the 'log' channel", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("channel is configured: sends", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DiscardChannelAlone_CarriesEveryKind_AndPrintsNothing()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:Channels:sink:Type"] = "discard" });
        HttpClient client = server.Client();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        Reply voice = await client.SendPinAsync(app, template, "41793000904", "/2fa/2/pin/voice");
        Assert.Equal(HttpStatusCode.OK, voice.Status);
        string pinId = voice.Str("pinId");
        string state = await Poll.UntilAsync(
            async () => (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json[0]!["state"]!.GetValue<string>(),
            state => state != "QUEUED",
            TimeSpan.FromSeconds(10),
            state => $"the message of {pinId} is still {state}");

        Assert.Equal("SUBMITTED", state);
        Assert.Empty(server.Deliveries.Lines);
    }
}
