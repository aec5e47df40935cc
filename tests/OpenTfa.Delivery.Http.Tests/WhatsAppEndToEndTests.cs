using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Delivery.Http.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests;

/// <summary>
/// WhatsApp PINs through the real server to the fake of Meta's Cloud API (tests/peers/whatsapp-cloud):
/// started as Twilio Verify verifications with <c>Channel=whatsapp</c>, sent as authentication-template
/// messages, then moved on by the signed status notifications the fake posts back.
/// </summary>
public sealed class WhatsAppEndToEndTests : IAsyncLifetime
{
    private const string Channel = "wa";
    private const string VerifyToken = "wa-verify-token-0123456789";
    private readonly List<IAsyncDisposable> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable started in Enumerable.Reverse(_started))
        {
            await started.DisposeAsync();
        }
    }

    /// <summary>A fake started with <paramref name="fakeArguments"/> and a server whose only WhatsApp channel, <c>wa</c>, uses it.</summary>
    private async Task<(WhatsAppCloud Meta, TestServer Server)> StartAsync(string[]? fakeArguments = null, IDictionary<string, string?>? settings = null)
    {
        WhatsAppCloud meta = await WhatsAppCloud.StartAsync(fakeArguments ?? []);
        _started.Add(meta);
        TestServer server = await TestServer.StartAsync(Settings(meta, settings));
        _started.Add(server);
        return (meta, server);
    }

    private static Dictionary<string, string?> Settings(WhatsAppCloud meta, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"OpenTfa:Channels:{Channel}:Type"] = "whatsapp",
            [$"OpenTfa:Channels:{Channel}:BaseUrl"] = meta.BaseUrl.AbsoluteUri,
            [$"OpenTfa:Channels:{Channel}:PhoneNumberId"] = WhatsAppCloud.PhoneNumberId,
            [$"OpenTfa:Channels:{Channel}:AccessToken"] = WhatsAppCloud.Token,
            [$"OpenTfa:Channels:{Channel}:AppSecret"] = WhatsAppCloud.AppSecret,
            [$"OpenTfa:Channels:{Channel}:VerifyToken"] = VerifyToken,
            [$"OpenTfa:Channels:{Channel}:WabaId"] = WhatsAppCloud.WabaId,
            [$"OpenTfa:Channels:{Channel}:Timeout"] = "00:00:01",
            ["OpenTfa:Channels:dev:Type"] = "log",
            ["OpenTfa:Routes:Sms:0"] = "dev",
            ["OpenTfa:Routes:WhatsApp:0"] = Channel,
        };
        foreach ((string key, string? value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static string Webhook(TestServer server) => $"{server.BaseAddress.AbsoluteUri.TrimEnd('/')}/opentfa/v1/callbacks/whatsapp/{Channel}";

    /// <summary>A client of the Twilio surface: the operator tenant's account SID and the bootstrap key, as Twilio's libraries send them.</summary>
    private static HttpClient Twilio(TestServer server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{TwilioSids.Account(Tenant.OperatorId)}:{TestServer.BootstrapKey}")));
        return client;
    }

    private static async Task<JsonNode> PostFormAsync(HttpClient twilio, string path, HttpStatusCode expected, params (string Name, string Value)[] fields)
    {
        using HttpResponseMessage response = await twilio.PostAsync(new Uri(path, UriKind.Relative),
            new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static async Task<string> ServiceAsync(HttpClient twilio) =>
        (await PostFormAsync(twilio, "/v2/Services", HttpStatusCode.Created, ("FriendlyName", "Acme")))["sid"]!.GetValue<string>();

    /// <summary>Starts a WhatsApp verification; returns the OpenTfa pinId.</summary>
    private static async Task<string> StartWhatsAppAsync(HttpClient twilio, string service, string to, params (string Name, string Value)[] more)
    {
        JsonNode started = await PostFormAsync(twilio, $"/v2/Services/{service}/Verifications", HttpStatusCode.Created, [("To", to), ("Channel", "whatsapp"), .. more]);
        Assert.Equal("whatsapp", started["channel"]!.GetValue<string>());
        return started["sid"]!.GetValue<string>()[2..].ToUpperInvariant();
    }

    private static JsonObject Emit(TestServer server, string wamid, string status) =>
        new() { ["url"] = Webhook(server), ["messageId"] = wamid, ["status"] = status };

    [Fact]
    public async Task WhatsAppPin_SendsTheAuthenticationTemplate_WithTheCodeTwice_AndASignedDeliveredStatusDeliversIt()
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync();
        using HttpClient twilio = Twilio(server);
        using HttpClient admin = server.Client();
        string service = await ServiceAsync(twilio);

        string pinId = await StartWhatsAppAsync(twilio, service, "+41793026727");

        JsonNode send = Assert.Single(await meta.SendsToAsync("+41793026727"));
        Assert.Equal($"/v21.0/{WhatsAppCloud.PhoneNumberId}/messages", send["path"]!.GetValue<string>());
        Assert.Equal($"Bearer {WhatsAppCloud.Token}", send["headers"]!["authorization"]!.GetValue<string>());
        Assert.Equal(200, send["response"]!["status"]!.GetValue<int>());
        string code = send["message"]!["code"]!.GetValue<string>();
        Assert.Matches("^[0-9]{6}$", code);
        Assert.Equal(
            $$$"""{"messaging_product":"whatsapp","recipient_type":"individual","to":"+41793026727","type":"template","template":{"name":"opentfa_code","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"{{{code}}}"}]},{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"{{{code}}}"}]}]}}""",
            send["body"]!.GetValue<string>());

        JsonNode submitted = await admin.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal("whatsapp", submitted["channel"]!.GetValue<string>());
        Assert.Equal(Channel, submitted["channelName"]!.GetValue<string>());
        string wamid = submitted["channelMessageId"]!.GetValue<string>();
        Assert.Equal(send["response"]!["body"]!["messages"]![0]!["id"]!.GetValue<string>(), wamid);

        JsonNode sent = await meta.EmitAsync(Emit(server, wamid, "sent"));
        Assert.Equal(200, sent["status"]!.GetValue<int>());
        Assert.Equal("SUBMITTED", (await admin.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray()[0]!["state"]!.GetValue<string>());

        JsonNode delivered = await meta.EmitAsync(Emit(server, wamid, "delivered"));
        Assert.Equal(200, delivered["status"]!.GetValue<int>());
        JsonNode done = await admin.WaitForMessageStateAsync(pinId, "DELIVERED");
        long stamped = long.Parse(delivered["payload"]!["entry"]![0]!["changes"]![0]!["value"]!["statuses"]![0]!["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(stamped * 1000, done["deliveredAt"]!.GetValue<long>());

        JsonNode check = await PostFormAsync(twilio, $"/v2/Services/{service}/VerificationCheck", HttpStatusCode.OK, ("To", "+41793026727"), ("Code", code));
        Assert.Equal("approved", check["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusNotification_WithAWrongOrMissingSignature_IsRefusedAndThrottled_AndChangesNothing()
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync(settings: new Dictionary<string, string?> { ["OpenTfa:MaxAuthFailuresPerMinute"] = "3" });
        using HttpClient twilio = Twilio(server);
        using HttpClient admin = server.Client();
        string pinId = await StartWhatsAppAsync(twilio, await ServiceAsync(twilio), "+41793026728");
        string wamid = (await admin.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();

        JsonObject wrongSecret = Emit(server, wamid, "delivered");
        wrongSecret["appSecret"] = "not-the-app-secret";
        JsonObject forged = Emit(server, wamid, "delivered");
        forged["signature"] = "sha256=" + new string('0', 64);
        JsonObject unsigned = Emit(server, wamid, "delivered");
        unsigned["signature"] = null;
        JsonObject failedForged = Emit(server, wamid, "failed");
        failedForged["appSecret"] = "not-the-app-secret";
        var answers = new List<JsonNode>();
        foreach (JsonObject attempt in new[] { wrongSecret, forged, unsigned, failedForged })
        {
            answers.Add(await meta.EmitAsync(attempt));
        }

        Assert.Equal([403, 403, 403, 429], answers.Select(a => a["status"]!.GetValue<int>()));
        Assert.All(answers.Take(3), a => Assert.Contains("X-Hub-Signature-256", a["body"]!.GetValue<string>(), StringComparison.Ordinal));
        JsonNode message = (await admin.OkAsync(HttpMethod.Get, $"/opentfa/v1/pins/{pinId}/messages")).AsArray()[0]!;
        Assert.Equal("SUBMITTED", message["state"]!.GetValue<string>());
        Assert.Null(message["deliveredAt"]);
        Assert.Null(message["error"]);

        // The throttle never refuses an authentic notification.
        JsonNode signed = await meta.EmitAsync(Emit(server, wamid, "delivered"));
        Assert.Equal(200, signed["status"]!.GetValue<int>());
        await admin.WaitForMessageStateAsync(pinId, "DELIVERED");
    }

    [Fact]
    public async Task SubscriptionHandshake_EchoesTheChallenge_OnlyForTheVerifyToken()
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync();

        JsonNode right = await meta.VerifyAsync(Webhook(server), VerifyToken);
        Assert.Equal(200, right["status"]!.GetValue<int>());
        Assert.True(right["echoed"]!.GetValue<bool>(), right.ToJsonString());

        JsonNode wrong = await meta.VerifyAsync(Webhook(server), "not-the-verify-token");
        Assert.Equal(403, wrong["status"]!.GetValue<int>());
        Assert.DoesNotContain(wrong["challenge"]!.GetValue<string>(), wrong["body"]!.GetValue<string>(), StringComparison.Ordinal);

        using var anonymous = new HttpClient();
        using HttpResponseMessage unknown = await anonymous.GetAsync(new Uri($"{server.BaseAddress}opentfa/v1/callbacks/whatsapp/nope?hub.mode=subscribe&hub.verify_token={VerifyToken}&hub.challenge=1"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task NumberNotOnWhatsApp_FailsTheMessageAtOnce_WithMetasCodeAndTitle()
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync(["--not-on-whatsapp", "41790000001"]);
        using HttpClient twilio = Twilio(server);
        using HttpClient admin = server.Client();

        string pinId = await StartWhatsAppAsync(twilio, await ServiceAsync(twilio), "+41790000001");

        JsonNode failed = await admin.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Contains("WA_131026 Message undeliverable", failed["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, failed["attempts"]!.GetValue<int>());
        await server.WaitUntilQueuesDrainedAsync();
        JsonNode refused = Assert.Single(await meta.SendsToAsync("+41790000001"));
        Assert.Equal(131026, refused["response"]!["body"]!["error"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task UndeliverableReportedLater_FailsTheMessageThroughTheSignedWebhook()
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync(["--not-on-whatsapp", "41790000002", "--undeliverable", "webhook"]);
        using HttpClient twilio = Twilio(server);
        using HttpClient admin = server.Client();
        string pinId = await StartWhatsAppAsync(twilio, await ServiceAsync(twilio), "+41790000002");
        string wamid = (await admin.WaitForMessageStateAsync(pinId, "SUBMITTED"))["channelMessageId"]!.GetValue<string>();
        Assert.True((await meta.SendsToAsync("+41790000002"))[0]["message"]!["undeliverable"]!.GetValue<bool>());

        JsonNode answer = await meta.EmitAsync(Emit(server, wamid, "failed"));

        Assert.Equal(200, answer["status"]!.GetValue<int>());
        JsonNode failed = await admin.WaitForMessageStateAsync(pinId, "FAILED");
        Assert.Equal("WA_131026 Message undeliverable", failed["error"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"times":1,"status":500,"code":131000,"title":"Something went wrong"}""", 500)]
    [InlineData("""{"times":1,"status":503,"code":131016,"title":"Service unavailable"}""", 503)]
    [InlineData("""{"times":1,"delayMs":2500}""", 0)]
    public async Task UnavailableOrSilentMeta_IsRetried_AndTheRetryIsAccepted(string failure, int firstStatus)
    {
        (WhatsAppCloud meta, TestServer server) = await StartAsync();
        using HttpClient twilio = Twilio(server);
        using HttpClient admin = server.Client();
        await meta.FailAsync(JsonNode.Parse(failure)!.AsObject());

        string pinId = await StartWhatsAppAsync(twilio, await ServiceAsync(twilio), "+41793026729");

        JsonNode submitted = await admin.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal(2, submitted["attempts"]!.GetValue<int>());
        IReadOnlyList<JsonNode> sends = await meta.SendsToAsync("+41793026729", 2);
        Assert.Equal(sends[^1]["response"]!["body"]!["messages"]![0]!["id"]!.GetValue<string>(), submitted["channelMessageId"]!.GetValue<string>());
        JsonNode first = sends[0];
        Assert.Equal(firstStatus, first["delayedMs"] is null ? first["response"]!["status"]!.GetValue<int>() : 0);
        Assert.Equal(sends[0]["body"]!.GetValue<string>(), sends[^1]["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task TemplateOverrides_NameAndLanguagePerOpenTfaTemplate_ReachMeta()
    {
        WhatsAppCloud meta = await WhatsAppCloud.StartAsync();
        _started.Add(meta);
        string data = Path.Combine(Path.GetTempPath(), "opentfa-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            string service;
            string template;
            await using (TestServer first = await TestServer.StartAsync(Settings(meta, new Dictionary<string, string?> { ["OpenTfa:DataDirectory"] = data })))
            {
                using HttpClient twilio = Twilio(first);
                service = await ServiceAsync(twilio);
                await StartWhatsAppAsync(twilio, service, "+41793026731", ("Locale", "de"));
                Assert.Equal("de", (await meta.SendsToAsync("+41793026731"))[0]["message"]!["languageCode"]!.GetValue<string>());
                JsonArray templates = (await first.Client().OkAsync(HttpMethod.Get, $"/2fa/2/applications/{service[2..].ToUpperInvariant()}/messages")).AsArray();
                template = templates.Single(t => t!["messageText"] is not null)!["messageId"]!.GetValue<string>();
            }

            TestServer second = await TestServer.StartAsync(Settings(meta, new Dictionary<string, string?>
            {
                ["OpenTfa:DataDirectory"] = data,
                [$"OpenTfa:Channels:{Channel}:Templates:{template}:Name"] = "acme_login_code",
                [$"OpenTfa:Channels:{Channel}:Templates:{template}:Language"] = "pt_BR",
            }));
            _started.Add(second);
            using HttpClient again = Twilio(second);
            await StartWhatsAppAsync(again, service, "+41793026732", ("Locale", "de"));

            JsonNode send = (await meta.SendsToAsync("+41793026732"))[0]["message"]!;
            Assert.Equal("acme_login_code", send["templateName"]!.GetValue<string>());
            Assert.Equal("pt_BR", send["languageCode"]!.GetValue<string>());
        }
        finally
        {
            await DisposeAsync();
            _started.Clear();
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task CreateTemplate_SendsMetaTheCopyCodeOrOneTapAuthenticationTemplate()
    {
        WhatsAppCloud meta = await WhatsAppCloud.StartAsync();
        _started.Add(meta);
        TestServer server = await TestServer.StartAsync(Settings(meta, new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:tap:Type"] = "whatsapp",
            ["OpenTfa:Channels:tap:BaseUrl"] = meta.BaseUrl.AbsoluteUri,
            ["OpenTfa:Channels:tap:PhoneNumberId"] = WhatsAppCloud.PhoneNumberId,
            ["OpenTfa:Channels:tap:AccessToken"] = WhatsAppCloud.Token,
            ["OpenTfa:Channels:tap:WabaId"] = WhatsAppCloud.WabaId,
            ["OpenTfa:Channels:tap:TemplateName"] = "acme_one_tap",
            ["OpenTfa:Channels:tap:TemplateLanguage"] = "pt_BR",
            ["OpenTfa:Channels:tap:CodeExpirationMinutes"] = "10",
            ["OpenTfa:Channels:tap:AndroidPackageName"] = "com.example.acme",
            ["OpenTfa:Channels:tap:AndroidSignatureHash"] = "K8a/AINcGX7",
            ["OpenTfa:Channels:nowaba:Type"] = "whatsapp",
            ["OpenTfa:Channels:nowaba:PhoneNumberId"] = WhatsAppCloud.PhoneNumberId,
            ["OpenTfa:Channels:nowaba:AccessToken"] = WhatsAppCloud.Token,
            ["OpenTfa:Channels:down:Type"] = "whatsapp",
            ["OpenTfa:Channels:down:BaseUrl"] = $"http://127.0.0.1:{FreePort.Next()}/",
            ["OpenTfa:Channels:down:PhoneNumberId"] = WhatsAppCloud.PhoneNumberId,
            ["OpenTfa:Channels:down:AccessToken"] = WhatsAppCloud.Token,
            ["OpenTfa:Channels:down:WabaId"] = WhatsAppCloud.WabaId,
        }));
        _started.Add(server);
        using HttpClient admin = server.Client();

        JsonNode copy = await admin.PostOkAsync($"/opentfa/v1/channels/{Channel}/whatsapp-template", "{}");
        Assert.Equal("COPY_CODE", copy["otpType"]!.GetValue<string>());
        Assert.Equal("PENDING", copy["status"]!.GetValue<string>());
        Assert.Equal(("opentfa_code", "en", "AUTHENTICATION"), (copy["name"]!.GetValue<string>(), copy["language"]!.GetValue<string>(), copy["category"]!.GetValue<string>()));
        JsonNode tap = await admin.PostOkAsync("/opentfa/v1/channels/tap/whatsapp-template", "{}");
        Assert.Equal("ONE_TAP", tap["otpType"]!.GetValue<string>());

        JsonNode[] created = (await meta.RecordedAsync()).OfType<JsonNode>().Where(r => r["path"]!.GetValue<string>().EndsWith("/message_templates", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, created.Length);
        Assert.All(created, c => Assert.Equal($"/v21.0/{WhatsAppCloud.WabaId}/message_templates", c["path"]!.GetValue<string>()));
        Assert.Equal(
            """{"name":"opentfa_code","language":"en","category":"AUTHENTICATION","components":[{"type":"BODY","add_security_recommendation":true},{"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"COPY_CODE"}]}]}""",
            created[0]["body"]!.GetValue<string>());
        Assert.Equal(copy["id"]!.GetValue<string>(), created[0]["template"]!["id"]!.GetValue<string>());
        Assert.Equal(
            """{"name":"acme_one_tap","language":"pt_BR","category":"AUTHENTICATION","components":[{"type":"BODY","add_security_recommendation":true},{"type":"FOOTER","code_expiration_minutes":10},{"type":"BUTTONS","buttons":[{"type":"OTP","otp_type":"ONE_TAP","supported_apps":[{"package_name":"com.example.acme","signature_hash":"K8a/AINcGX7"}]}]}]}""",
            created[1]["body"]!.GetValue<string>());
        Assert.Equal(200, created[1]["response"]!["status"]!.GetValue<int>());

        // Meta refuses the same template twice; a channel without a WABA id, or none at all, cannot ask.
        using HttpResponseMessage twice = await admin.PostAsync(new Uri($"/opentfa/v1/channels/{Channel}/whatsapp-template", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Contains("WA_100 Invalid parameter", await twice.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using HttpResponseMessage noWaba = await admin.PostAsync(new Uri("/opentfa/v1/channels/nowaba/whatsapp-template", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.BadRequest, noWaba.StatusCode);
        using HttpResponseMessage unknown = await admin.PostAsync(new Uri("/opentfa/v1/channels/dev/whatsapp-template", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using HttpResponseMessage unreachable = await admin.PostAsync(new Uri("/opentfa/v1/channels/down/whatsapp-template", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreachable.StatusCode);
        Assert.NotNull(unreachable.Headers.RetryAfter);
    }

    [Fact]
    public async Task FakeCloudApi_PassesItsOwnSelfTest()
    {
        await NodePeer.EnsureInstalledAsync(WhatsAppCloud.Directory);

        ProgramResult selfTest = await PeerProcess.RunAsync(
            new ProgramStart("node", ["--test"]) { WorkingDirectory = WhatsAppCloud.Directory, MissingHint = NodePeer.NodeHint },
            TimeSpan.FromSeconds(60));

        Assert.True(selfTest.ExitCode == 0, selfTest.ToString());
        Assert.Contains("# fail 0", selfTest.Stdout, StringComparison.Ordinal);
    }
}
