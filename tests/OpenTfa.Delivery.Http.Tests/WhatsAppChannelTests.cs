using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.WhatsApp;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>The whatsapp channel's rules that need no peer: Meta's error codes, languages, settings and status notifications.</summary>
public sealed class WhatsAppChannelTests
{
    private const string Secret = "app-secret-0123456789";

    private static WhatsAppChannel Channel(Action<WhatsAppChannelOptions>? configure = null)
    {
        var options = new WhatsAppChannelOptions { PhoneNumberId = "1", AccessToken = "token", AppSecret = Secret };
        configure?.Invoke(options);
        return new WhatsAppChannel("wa", options, TimeProvider.System, NullLogger<WhatsAppChannel>.Instance);
    }

    private static GatewayAnswer Error(HttpStatusCode status, int code, string title, string? details = null) =>
        new(status, $$$"""{"error":{"message":"(#{{{code}}}) {{{title}}}","type":"OAuthException","code":{{{code}}},"error_data":{"messaging_product":"whatsapp","details":"{{{details ?? title}}}"},"fbtrace_id":"A1"}}""", null);

    [Theory]
    [InlineData(131026, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(131021, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(131051, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(132001, 404, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(132000, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(132012, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(100, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(131008, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(131009, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(131047, 400, DeliveryOutcome.TemporaryFailure, true)]
    [InlineData(131048, 400, DeliveryOutcome.TemporaryFailure, true)]
    [InlineData(131056, 400, DeliveryOutcome.TemporaryFailure, true)]
    [InlineData(130429, 400, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(131016, 503, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(131000, 500, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(1, 500, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(2, 503, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(4, 400, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(190, 401, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(200, 403, DeliveryOutcome.TemporaryFailure, false)]
    [InlineData(999999, 400, DeliveryOutcome.PermanentFailure, false)]
    [InlineData(999999, 502, DeliveryOutcome.TemporaryFailure, false)]
    public void MetasErrorCode_DecidesTheOutcome_AndTheErrorNamesCodeAndTitle(int code, int status, DeliveryOutcome outcome, bool recipientOnly)
    {
        DeliveryResult result = WhatsAppErrors.Result(Error((HttpStatusCode)status, code, "Some title"));

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(recipientOnly, result.RecipientOnly);
        Assert.Equal($"WA_{code} Some title", result.Error);
    }

    [Fact]
    public void Answers_WithoutAnErrorObjectOrAMessageId_AreReadAsTheirStatus()
    {
        Assert.Equal(DeliveryResult.Accepted("wamid.A"), WhatsAppErrors.Result(new GatewayAnswer(HttpStatusCode.OK, """{"messaging_product":"whatsapp","messages":[{"id":"wamid.A"}]}""", null)));
        Assert.Equal(DeliveryOutcome.TemporaryFailure, WhatsAppErrors.Result(new GatewayAnswer(HttpStatusCode.OK, "{}", null)).Outcome);
        Assert.Equal(DeliveryResult.Temporary("WhatsApp answered 502: <html>Bad gateway</html>"), WhatsAppErrors.Result(new GatewayAnswer(HttpStatusCode.BadGateway, "<html>Bad gateway</html>", null)));
        Assert.Equal(DeliveryResult.Temporary("could not reach it"), WhatsAppErrors.Result(new GatewayAnswer(null, string.Empty, "could not reach it")));
        Assert.Equal("WA_131026 Message undeliverable (the recipient is not a WhatsApp user)",
            WhatsAppErrors.Result(Error(HttpStatusCode.BadRequest, 131026, "Message undeliverable", "the recipient is not a WhatsApp user")).Error);
    }

    [Theory]
    [InlineData("pt_br", "pt_BR")]
    [InlineData("pt-BR", "pt_BR")]
    [InlineData("en", "en")]
    [InlineData("DE", "de")]
    [InlineData("zh_tw", "zh_TW")]
    [InlineData(null, "en")]
    [InlineData("", "en")]
    [InlineData("not a language", "en")]
    public void OpenTfaLanguage_BecomesMetasCode(string? language, string expected) =>
        Assert.Equal(expected, WhatsAppLanguages.FromOpenTfa(language));

    [Fact]
    public void Template_IsTheOpenTfaTemplatesOwn_ThenTheChannelsLanguage_ThenTheMessagesLanguage()
    {
        WhatsAppChannel plain = Channel();
        WhatsAppChannel configured = Channel(o =>
        {
            o.TemplateName = "acme_code";
            o.TemplateLanguage = "en_US";
            o.Templates = new Dictionary<string, WhatsAppTemplateOptions> { ["ABC"] = new() { Name = "acme_de" }, ["DEF"] = new() { Language = "fr" } };
        });

        Assert.Equal(("opentfa_code", "pt_BR"), plain.TemplateFor(new MessageContent("x", Language: "pt_br", Code: "1234")));
        Assert.Equal(("opentfa_code", "en"), plain.TemplateFor(new MessageContent("x", Code: "1234")));
        Assert.Equal(("acme_code", "en_US"), configured.TemplateFor(new MessageContent("x", Language: "de", Code: "1234", TemplateId: "XYZ")));
        Assert.Equal(("acme_de", "en_US"), configured.TemplateFor(new MessageContent("x", Language: "de", Code: "1234", TemplateId: "abc")));
        Assert.Equal(("acme_code", "fr"), configured.TemplateFor(new MessageContent("x", Language: "de", Code: "1234", TemplateId: "DEF")));
    }

    [Fact]
    public async Task Message_WithoutACodeOrWithOneTooLong_IsRefusedBeforeAnythingIsSent()
    {
        using WhatsAppChannel channel = Channel(o => o.BaseUrl = new Uri("http://127.0.0.1:9/"));
        OutgoingMessage Message(string? code) => new("M1", "P1", ChannelKind.WhatsApp, "41793026727", null, new MessageContent("Your pin is x", Code: code), 1);

        DeliveryResult none = await channel.SendAsync(Message(null), CancellationToken.None);
        DeliveryResult tooLong = await channel.SendAsync(Message("1234567890123456"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, none.Outcome);
        Assert.Contains("no code", none.Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryOutcome.PermanentFailure, tooLong.Outcome);
        Assert.Contains("at most 15", tooLong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void StatusNotification_WithSeveralEntriesAndStatuses_ReportsEachThatMatters()
    {
        byte[] body = Encoding.UTF8.GetBytes("""
            {"object":"whatsapp_business_account","entry":[
              {"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","statuses":[
                {"id":"wamid.A","status":"sent","timestamp":"1780000000","recipient_id":"41793026727"},
                {"id":"wamid.A","status":"delivered","timestamp":"1780000002","recipient_id":"41793026727"}]}}]},
              {"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","statuses":[
                {"id":"wamid.B","status":"read","timestamp":"1780000003"},
                {"id":"wamid.C","status":"failed","timestamp":"1780000004","errors":[{"code":131047,"title":"Re-engagement message","error_data":{"details":"More than 24 hours have passed"}}]}]}},
                {"field":"messages","value":{"messages":[{"from":"41793026727","type":"text"}]}}]}]}
            """);
        string signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));

        CallbackResult result = Channel().ReadStatuses(body, signature);

        CallbackResult.Reports reports = Assert.IsType<CallbackResult.Reports>(result);
        Assert.Equal(
            [
                new DeliveryReport("wamid.A", MessageState.Delivered, null, DateTimeOffset.FromUnixTimeSeconds(1780000002)),
                new DeliveryReport("wamid.B", MessageState.Delivered, null, DateTimeOffset.FromUnixTimeSeconds(1780000003)),
                new DeliveryReport("wamid.C", MessageState.Failed, "WA_131047 Re-engagement message (More than 24 hours have passed)", DateTimeOffset.FromUnixTimeSeconds(1780000004)),
            ],
            reports.Deliveries);
        Assert.IsType<CallbackResult.Unauthenticated>(Channel().ReadStatuses(body, signature[..^2] + (signature.EndsWith("00", StringComparison.Ordinal) ? "11" : "00")));
        Assert.IsType<CallbackResult.Unauthenticated>(Channel(o => o.AppSecret = null).ReadStatuses(body, signature));
        Assert.IsType<CallbackResult.Invalid>(Channel().ReadStatuses("[1]"u8.ToArray(), "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), "[1]"u8.ToArray()))));
    }

    [Fact]
    public void Handshake_NeedsSubscribeAndTheVerifyToken()
    {
        WhatsAppChannel channel = Channel(o => o.VerifyToken = "verify-me");

        Assert.True(channel.AcceptsSubscription("subscribe", "verify-me"));
        Assert.False(channel.AcceptsSubscription("subscribe", "verify-you"));
        Assert.False(channel.AcceptsSubscription("unsubscribe", "verify-me"));
        Assert.False(channel.AcceptsSubscription("subscribe", null));
        Assert.False(Channel().AcceptsSubscription("subscribe", string.Empty));
    }

    [Fact]
    public void Settings_AreCheckedAtStartUp_NamingTheSetting_AndNeverShowingASecret()
    {
        IReadOnlyList<string> problems = ChannelSettingsProbe.Problems(new WhatsAppChannelFactory(), ChannelSettingsProbe.Section("wa",
            ("PhoneNumberId", "12ab"),
            ("ApiVersion", "21"),
            ("TemplateName", "Acme-Code"),
            ("TemplateLanguage", "english"),
            ("Templates:ABC:Name", "ok_name"),
            ("Templates:ABC:Language", "pt-BR"),
            ("AndroidPackageName", "acme"),
            ("AndroidSignatureHash", "secret-hash-value"),
            ("CodeExpirationMinutes", "91"),
            ("AppSecret", "the-app-secret-value")), sendTimeout: TimeSpan.FromSeconds(30));

        string all = string.Join("\n", problems);
        Assert.Contains("OpenTfa:Channels:wa:AccessToken (or AccessTokenFile) is required", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:PhoneNumberId must be the id Meta shows for it (digits only); got '12ab'", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:ApiVersion must be a Graph API version such as v21.0; got '21'", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:TemplateName must be a Meta template name", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:TemplateLanguage must be a Meta language code", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:Templates:ABC:Language must be a Meta language code such as en, en_US or pt_BR; got 'pt-BR'", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Templates:ABC:Name", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:AndroidPackageName must be an Android application id", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:AndroidSignatureHash must be the app's 11-character signing key hash", all, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:wa:CodeExpirationMinutes", all, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-hash-value", all, StringComparison.Ordinal);
        Assert.DoesNotContain("the-app-secret-value", all, StringComparison.Ordinal);

        Assert.Empty(ChannelSettingsProbe.Problems(new WhatsAppChannelFactory(), ChannelSettingsProbe.Section("wa",
            ("PhoneNumberId", "105954558954427"), ("AccessToken", "token")), sendTimeout: TimeSpan.FromSeconds(30)));
    }
}
