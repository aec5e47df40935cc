using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Callbacks;
using OpenTfa.Delivery.Http.Sms;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>Each SMS gateway channel against a local listener that checks the documented request.</summary>
public sealed class SmsGatewayTests : IAsyncLifetime
{
    private FakeProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await FakeProvider.StartAsync();

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    private static OutgoingMessage Sms(string text = "Your pin is 1234", string? from = "InfoSMS", string to = "41793026727") =>
        new("0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210", ChannelKind.Sms, to, from, new MessageContent(text), 1);

    private static IConfigurationSection Section(params (string Key, string? Value)[] settings) => ChannelSettingsProbe.Section("gw", settings);

    private TwilioSmsChannel Twilio(string? from = null, string? service = null) => new("sms", new TwilioSmsChannelOptions
    {
        AccountSid = "AC0123456789abcdef0123456789abcdef",
        AuthToken = "auth-token-0123456789",
        From = from,
        MessagingServiceSid = service,
        BaseUrl = _provider.BaseUrl,
        CallbackBaseUrl = new Uri("https://otp.example.test/base/"),
        Timeout = TimeSpan.FromSeconds(5),
    }, TimeProvider.System, NullLogger<TwilioSmsChannel>.Instance);

    [Fact]
    public async Task TwilioSms_PostsTheDocumentedForm_WithBasicAuth_AndKeepsTheSid()
    {
        _provider.Answer(_ => new FakeAnswer(201, """{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued"}"""));

        DeliveryResult result = await Twilio().SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Accepted("SM0123456789abcdef0123456789abcdef"), result);
        RecordedRequest request = Assert.Single(_provider.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("AC0123456789abcdef0123456789abcdef:auth-token-0123456789")), request.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(
            [new("To", "+41793026727"), new("From", "InfoSMS"), new("Body", "Your pin is 1234"), new("StatusCallback", "https://otp.example.test/base/opentfa/v1/callbacks/twilio/sms")],
            request.Form);
    }

    [Fact]
    public async Task TwilioSms_WithoutASender_UsesTheMessagingService()
    {
        _provider.Answer(_ => new FakeAnswer(201, """{"sid":"SM1"}"""));

        await Twilio(service: "MG0123").SendAsync(Sms(from: null), CancellationToken.None);

        Assert.Contains(new KeyValuePair<string, string>("MessagingServiceSid", "MG0123"), Assert.Single(_provider.Requests).Form);
        Assert.DoesNotContain(_provider.Requests[0].Form, p => p.Key == "From");
    }

    [Theory]
    [InlineData(400, DeliveryOutcome.PermanentFailure)]
    [InlineData(401, DeliveryOutcome.TemporaryFailure)]
    [InlineData(429, DeliveryOutcome.TemporaryFailure)]
    [InlineData(500, DeliveryOutcome.TemporaryFailure)]
    [InlineData(503, DeliveryOutcome.TemporaryFailure)]
    public async Task TwilioSms_Errors_MapToTheOutcome_WithTwiliosCodeAndMessage(int status, DeliveryOutcome outcome)
    {
        _provider.Answer(_ => new FakeAnswer(status, $$"""{"code":21211,"message":"The 'To' number is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":{{status}}}"""));

        DeliveryResult result = await Twilio().SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal($"Twilio answered {status}: error 21211: The 'To' number is not a valid phone number.", result.Error);
    }

    [Fact]
    public void TwilioSms_StatusCallback_MapsDeliveredAndFailures()
    {
        TwilioSmsChannel channel = Twilio();
        CallbackResult delivered = channel.ReadStatus([new("MessageSid", "SM1"), new("MessageStatus", "delivered")]);
        CallbackResult undelivered = channel.ReadStatus([new("MessageSid", "SM2"), new("MessageStatus", "undelivered"), new("ErrorCode", "30003")]);
        CallbackResult sent = channel.ReadStatus([new("MessageSid", "SM3"), new("MessageStatus", "sent")]);

        Assert.Equal(new CallbackResult.Report(new DeliveryReport("SM1", MessageState.Delivered, null)), delivered);
        Assert.Equal(new CallbackResult.Report(new DeliveryReport("SM2", MessageState.Failed, "Twilio: undelivered (error 30003)")), undelivered);
        Assert.Equal(new CallbackResult.Report(null), sent);
    }

    private KannelSmsChannel Kannel() => new("kannel", new KannelChannelOptions
    {
        BaseUrl = _provider.BaseUrl,
        Username = "otp",
        Password = "p&ss word",
        From = "Acme",
        SmscId = "sim",
        CallbackBaseUrl = new Uri("https://otp.example.test"),
        CallbackSecret = "kannel-callback-secret-0123",
        Timeout = TimeSpan.FromSeconds(5),
    }, TimeProvider.System, NullLogger<KannelSmsChannel>.Instance);

    [Fact]
    public async Task Kannel_SendsTheDocumentedSendsmsQuery_WithAPerMessageDlrUrl()
    {
        _provider.Answer(_ => new FakeAnswer(202, "0: Accepted for delivery", "text/html"));

        DeliveryResult result = await Kannel().SendAsync(Sms(from: null), CancellationToken.None);

        Assert.Equal(DeliveryResult.Accepted("0123456789ABCDEF0123456789ABCDEF"), result);
        RecordedRequest request = Assert.Single(_provider.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/cgi-bin/sendsms", request.Path);
        IReadOnlyList<KeyValuePair<string, string>> query = request.QueryFields;
        Assert.Equal(["username", "password", "from", "to", "text", "coding", "charset", "smsc", "dlr-mask", "dlr-url"], query.Select(p => p.Key));
        Assert.Equal(["otp", "p&ss word", "Acme", "41793026727", "Your pin is 1234", "0", "UTF-8", "sim", "31"], query.Take(9).Select(p => p.Value));
        Assert.Matches("^https://otp.example.test/opentfa/v1/callbacks/kannel/kannel\\?message=0123456789ABCDEF0123456789ABCDEF&token=[0-9a-f]{32}&type=%d&reply=%A$", query[9].Value);
    }

    [Fact]
    public async Task Kannel_TextOutsideGsm_IsSentAsUcs2()
    {
        _provider.Answer(_ => new FakeAnswer(202, "0: Accepted for delivery", "text/html"));

        await Kannel().SendAsync(Sms("Ваш код 1234"), CancellationToken.None);

        IReadOnlyList<KeyValuePair<string, string>> query = Assert.Single(_provider.Requests).QueryFields;
        Assert.Contains(new KeyValuePair<string, string>("text", "Ваш код 1234"), query);
        Assert.Contains(new KeyValuePair<string, string>("coding", "2"), query);
    }

    [Theory]
    [InlineData(400, "Missing receiver number", DeliveryOutcome.PermanentFailure)]
    [InlineData(403, "Authorization failed for sendsms", DeliveryOutcome.TemporaryFailure)]
    [InlineData(503, "Temporal failure, try again later.", DeliveryOutcome.TemporaryFailure)]
    public async Task Kannel_Errors_MapToTheOutcome(int status, string body, DeliveryOutcome outcome)
    {
        _provider.Answer(_ => new FakeAnswer(status, body, "text/html"));

        DeliveryResult result = await Kannel().SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        Assert.Equal($"Kannel answered {status}: {body}", result.Error);
    }

    [Fact]
    public void Kannel_Report_NeedsTheMessagesOwnToken_AndMapsTheTypes()
    {
        KannelSmsChannel channel = Kannel();
        string dlr = channel.DlrUrl("M1");
        string token = dlr.Split("token=")[1].Split('&')[0];
        Dictionary<string, string> Report(string type, string message = "M1", string? t = null) => new() { ["message"] = message, ["token"] = t ?? token, ["type"] = type, ["reply"] = "NACK/0x45" };

        Assert.Equal(new CallbackResult.Report(new DeliveryReport("M1", MessageState.Delivered, null)), channel.ReadReport(Report("1")));
        Assert.Equal(new CallbackResult.Report(new DeliveryReport("M1", MessageState.Failed, "delivery failed (Kannel report 2): NACK/0x45")), channel.ReadReport(Report("2")));
        Assert.Equal(new CallbackResult.Report(new DeliveryReport("M1", MessageState.Failed, "rejected by the SMSC (Kannel report 16): NACK/0x45")), channel.ReadReport(Report("16")));
        Assert.Equal(new CallbackResult.Report(null), channel.ReadReport(Report("8")));
        Assert.Equal(new CallbackResult.Report(null), channel.ReadReport(Report("4")));
        Assert.IsType<CallbackResult.Unauthenticated>(channel.ReadReport(Report("1", message: "M2")));
        Assert.IsType<CallbackResult.Unauthenticated>(channel.ReadReport(Report("1", t: new string('0', 32))));
        Assert.IsType<CallbackResult.Invalid>(channel.ReadReport(Report("x")));
    }

    private WebhookSmsChannel Webhook(TimeSpan? timeout = null) => new("hook", new WebhookChannelOptions
    {
        Url = new Uri(_provider.BaseUrl, "/sms/send?tenant=acme"),
        Secret = "whsec-0123456789abcdef",
        Headers = new Dictionary<string, string> { ["X-Api-Key"] = "gateway-key" },
        Timeout = timeout ?? TimeSpan.FromSeconds(5),
    }, TimeProvider.System, NullLogger<WebhookSmsChannel>.Instance);

    [Fact]
    public async Task Webhook_PostsSignedJson_AndTwoHundredsAccept()
    {
        _provider.Answer(_ => new FakeAnswer(202, "{}"));

        DeliveryResult result = await Webhook().SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(DeliveryResult.Accepted("0123456789ABCDEF0123456789ABCDEF"), result);
        RecordedRequest request = Assert.Single(_provider.Requests);
        Assert.Equal(("POST", "/sms/send", "?tenant=acme"), (request.Method, request.Path, request.Query));
        Assert.Equal("application/json; charset=utf-8", request.Header("Content-Type"));
        Assert.Equal("gateway-key", request.Header("X-Api-Key"));
        using JsonDocument json = JsonDocument.Parse(request.Body);
        Assert.Equal(
            """{"messageId":"0123456789ABCDEF0123456789ABCDEF","pinId":"FEDCBA9876543210FEDCBA9876543210","to":"41793026727","from":"InfoSMS","text":"Your pin is 1234","kind":"sms"}""",
            request.Text);

        // The receiver's check, written here from the signature scheme in docs/operations.md.
        string header = request.Header("OpenTfa-Signature")!;
        string t = header.Split(',')[0]["t=".Length..];
        string v1 = header.Split(',')[1]["v1=".Length..];
        Assert.InRange(long.Parse(t, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        string expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("whsec-0123456789abcdef"), Encoding.UTF8.GetBytes(t + ".").Concat(request.Body).ToArray()));
        Assert.Equal(expected, v1);
    }

    [Theory]
    [InlineData(400, DeliveryOutcome.PermanentFailure)]
    [InlineData(404, DeliveryOutcome.PermanentFailure)]
    [InlineData(408, DeliveryOutcome.TemporaryFailure)]
    [InlineData(429, DeliveryOutcome.TemporaryFailure)]
    [InlineData(500, DeliveryOutcome.TemporaryFailure)]
    [InlineData(503, DeliveryOutcome.TemporaryFailure)]
    public async Task Webhook_FourHundredsRefuse_FiveHundredsRetry(int status, DeliveryOutcome outcome)
    {
        _provider.Answer(_ => new FakeAnswer(status, "nope", "text/plain"));

        Assert.Equal(outcome, (await Webhook().SendAsync(Sms(), CancellationToken.None)).Outcome);
    }

    [Fact]
    public async Task Webhook_Redirect_IsNotFollowed()
    {
        _provider.Answer(r => r.Path == "/sms/send" ? new FakeAnswer(307, string.Empty, Location: new Uri(_provider.BaseUrl, "/elsewhere").AbsoluteUri) : new FakeAnswer(200, "{}"));

        DeliveryResult result = await Webhook().SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Contains("redirect", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_provider.Requests, r => r.Path == "/elsewhere");
    }

    [Fact]
    public async Task Webhook_NoAnswerInTime_IsTemporary()
    {
        _provider.Answer(_ => new FakeAnswer(200, "{}", Delay: TimeSpan.FromSeconds(3)));

        DeliveryResult result = await Webhook(TimeSpan.FromMilliseconds(300)).SendAsync(Sms(), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Contains("no answer", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_AreCheckedAtStart_AndNameTheSetting()
    {
        IReadOnlyList<string> webhook = ChannelSettingsProbe.Problems(new WebhookChannelFactory(), Section(("Type", "webhook"), ("Url", "ftp://x"), ("Secret", "short")));
        IReadOnlyList<string> kannel = ChannelSettingsProbe.Problems(new KannelChannelFactory(), Section(("BaseUrl", "http://127.0.0.1:13013"), ("Username", "u"), ("Password", "p"), ("CallbackBaseUrl", "https://otp.example.test")));
        IReadOnlyList<string> twilio = ChannelSettingsProbe.Problems(new TwilioSmsChannelFactory(), Section(("AccountSid", "AC1"), ("Timeout", "00:01:00")), TimeSpan.FromSeconds(30));

        Assert.Contains(webhook, p => p.StartsWith("OpenTfa:Channels:gw:Url must be an absolute http or https URL", StringComparison.Ordinal));
        Assert.Contains(webhook, p => p.StartsWith("OpenTfa:Channels:gw:Secret (or SecretFile) of at least 16 characters", StringComparison.Ordinal));
        Assert.DoesNotContain(webhook, p => p.Contains("short", StringComparison.Ordinal));
        Assert.Contains(kannel, p => p.StartsWith("OpenTfa:Channels:gw:CallbackSecret", StringComparison.Ordinal));
        Assert.Contains(twilio, p => p.StartsWith("OpenTfa:Channels:gw:AuthToken", StringComparison.Ordinal));
        Assert.Contains(twilio, p => p.StartsWith("OpenTfa:Channels:gw:Timeout", StringComparison.Ordinal));
    }
}
