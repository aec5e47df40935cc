using OpenTfa.Cli.Tests.Infrastructure;

namespace OpenTfa.Cli.Tests;

/// <summary>Each command group through <c>opentfa</c> as a process, against the real server hosted by the test.</summary>
public sealed class CommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static string NewNumber() => "4179" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private Task<CliResult> OkAsync(params string[] args) => _server.RunOkAsync(args);

    private async Task<(string App, string Template)> AppAndTemplateAsync()
    {
        string app = (await OkAsync("apps", "create", "test", "--json")).Json["applicationId"]!.GetValue<string>();
        string template = (await OkAsync("templates", "create", app, "--text", "Your code: {{pin}}", "--json")).Json["messageId"]!.GetValue<string>();
        return (app, template);
    }

    private async Task<string> EmailBodyAsync() =>
        (await OkAsync("email-bodies", "create", "--subject", "Your code", "--text", "Your code is {{pin}}", "--json")).Json["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task EmailBodies_CreateListShowUpdate()
    {
        CliResult created = await OkAsync("email-bodies", "create", "--name", "login", "--subject", "Your code", "--text", "Code: {{pin}}", "--html", "<b>{{pin}}</b>");
        string id = created.Field("id");
        Assert.Equal("<b>{{pin}}</b>", created.Field("html"));

        CliResult list = await OkAsync("email-bodies", "list");
        Assert.Matches($@"(?m)^{id}\s+login\s+Your code\s+yes\s", list.Stdout);

        CliResult updated = await OkAsync("email-bodies", "update", id, "--subject", "Sign-in code");
        Assert.Equal("Sign-in code", updated.Field("subject"));
        Assert.Equal("Code: {{pin}}", updated.Field("text"));
        Assert.Equal("Sign-in code", (await OkAsync("email-bodies", "show", id, "--json")).Json["subject"]!.GetValue<string>());

        CliResult invalid = await _server.RunAsync("email-bodies", "create", "--subject", "x", "--text", "no pin");
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("  text: ", invalid.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_CreateListRevoke_AndTheRevokedKeyIsRefused()
    {
        CliResult created = await OkAsync("keys", "create", "--name", "web backend", "--scope", "2fa:manage,2fa:pin:send", "--expires", "30d");
        string keyId = created.Field("keyId");
        Assert.Equal("2fa:manage, 2fa:pin:send", created.Field("scopes"));
        Assert.Contains("The key (shown only now; store it safely):", created.Stdout, StringComparison.Ordinal);
        string key = created.Stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.Equal(0, (await _server.RunWithKeyAsync(key, "apps", "list")).ExitCode);

        CliResult list = await OkAsync("keys", "list");
        Assert.Matches(@"^KEY ID\s+TENANT\s+NAME\s+SCOPES\s+CREATED\s+EXPIRES\s+LAST USED\s+REVOKED", list.Stdout);
        string row = list.Stdout.Split('\n').Single(l => l.StartsWith(keyId, StringComparison.Ordinal));
        Assert.Contains("web backend", row, StringComparison.Ordinal);
        Assert.Contains("2fa:manage,2fa:pin:send", row, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Stdout, StringComparison.Ordinal);

        CliResult json = await OkAsync("keys", "list", "--json");
        Assert.Contains(json.Json.AsArray(), k => k!["keyId"]!.GetValue<string>() == keyId && k["expiresAt"] is not null);

        CliResult revoked = await OkAsync("keys", "revoke", keyId);
        Assert.StartsWith($"Revoked {keyId}.", revoked.Stdout, StringComparison.Ordinal);
        Assert.NotNull(revoked.Field("revokedAt"));

        CliResult refused = await _server.RunWithKeyAsync(key, "apps", "list");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("check OPENTFA_API_KEY or --api-key", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenants_CreateAndList_ThenAKeyForTheTenant()
    {
        CliResult created = await OkAsync("tenants", "create", "acme");
        string tenantId = created.Field("tenantId");
        Assert.Equal("acme", created.Field("name"));

        CliResult list = await OkAsync("tenants", "list");
        Assert.Contains(list.Stdout.Split('\n'), l => l.StartsWith(tenantId, StringComparison.Ordinal) && l.Contains("acme", StringComparison.Ordinal));

        CliResult key = await OkAsync("keys", "create", "--tenant", tenantId, "--scope", "2fa:manage", "--json");
        Assert.Equal(tenantId, key.Json["tenantId"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(key.Json["key"]!.GetValue<string>()));
        CliResult ofTenant = await OkAsync("keys", "list", "--tenant", tenantId, "--json");
        Assert.Single(ofTenant.Json.AsArray());
    }

    [Fact]
    public async Task TenantsSenders_ChangeOnlyTheKindGiven_AndClearRemovesBoth()
    {
        string tenantId = (await OkAsync("tenants", "create", "umbrella")).Field("tenantId");

        CliResult shown = await OkAsync("tenants", "senders", tenantId);
        Assert.Equal("(service-wide rule)", shown.Field("sms"));

        await OkAsync("tenants", "senders", tenantId, "--sms", "Umbrella,+41791234567", "--email", "@umbrella.example");
        CliResult smsOnly = await OkAsync("tenants", "senders", tenantId, "--sms", "Umbrella", "--json");
        Assert.Equal("""["Umbrella"]""", smsOnly.Json["sms"]!.ToJsonString());
        Assert.Equal("""["@umbrella.example"]""", smsOnly.Json["email"]!.ToJsonString());

        CliResult bad = await _server.RunAsync("tenants", "senders", tenantId, "--sms", "Far too long a sender");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("sms[0]", bad.Stderr, StringComparison.Ordinal);

        CliResult cleared = await OkAsync("tenants", "senders", tenantId, "--clear");
        Assert.Equal("(service-wide rule)", cleared.Field("email"));
    }

    [Fact]
    public async Task Apps_CreateListShowUpdate_UpdateChangesOnlyWhatIsGiven()
    {
        string app = (await OkAsync("apps", "create", "shop", "--pin-attempts", "7", "--pin-ttl", "5m")).Field("applicationId");

        CliResult list = await OkAsync("apps", "list");
        Assert.Matches(@"^APPLICATION ID\s+NAME\s+ENABLED\s+PIN TTL\s+ATTEMPTS", list.Stdout);
        Assert.Matches($@"(?m)^{app}\s+shop\s+yes\s+5m\s+7\s", list.Stdout);

        CliResult updated = await OkAsync("apps", "update", app, "--verify-pin-limit", "3/1m", "--enabled", "false");
        Assert.Equal("shop", updated.Field("name"));
        Assert.Equal("no", updated.Field("enabled"));
        Assert.Equal("7", updated.Field("pinAttempts"));
        Assert.Equal("5m", updated.Field("pinTimeToLive"));
        Assert.Equal("3/1m", updated.Field("verifyPinLimit"));

        CliResult renamed = await OkAsync("apps", "update", app, "--name", "shop2", "--json");
        Assert.Equal("shop2", renamed.Json["name"]!.GetValue<string>());
        Assert.False(renamed.Json["enabled"]!.GetValue<bool>());

        CliResult shown = await OkAsync("apps", "show", app, "--json");
        Assert.Equal(app, shown.Json["applicationId"]!.GetValue<string>());
        Assert.Equal(7, shown.Json["configuration"]!["pinAttempts"]!.GetValue<int>());
    }

    [Fact]
    public async Task Templates_SmsVoiceAndEmail_CreateListShowUpdate()
    {
        string app = (await OkAsync("apps", "create", "t", "--json")).Json["applicationId"]!.GetValue<string>();

        CliResult created = await OkAsync("templates", "create", app, "--text", "Code {{pin}}", "--pin-type", "HEX", "--pin-length", "6", "--sender-id", "Acme", "--speech-rate", "1.5", "--repeat-dtmf", "1#");
        string messageId = created.Field("messageId");
        Assert.Equal("HEX", created.Field("pinType"));
        Assert.Equal("1.5", created.Field("speechRate"));

        CliResult updated = await OkAsync("templates", "update", app, messageId, "--pin-length", "8");
        Assert.Equal("8", updated.Field("pinLength"));
        Assert.Equal("Acme", updated.Field("senderId"));
        Assert.Equal("Code {{pin}}", updated.Field("messageText"));

        string body = await EmailBodyAsync();
        CliResult email = await OkAsync("templates", "create-email", app, "--email-template-id", body, "--from", "company@example.com");
        string emailId = email.Field("messageId");
        Assert.Equal("email", email.Field("kind"));
        Assert.Equal(body, email.Field("emailTemplateId"));

        CliResult emailUpdated = await OkAsync("templates", "update-email", app, emailId, "--from", "Jane <jane@example.com>", "--json");
        Assert.Equal("Jane <jane@example.com>", emailUpdated.Json["from"]!.GetValue<string>());

        CliResult list = await OkAsync("templates", "list", app);
        Assert.Matches($@"(?m)^{messageId}\s+sms/voice\s+8 HEX\s+Code {{{{pin}}}}$", list.Stdout);
        Assert.Matches($@"(?m)^{emailId}\s+email\s+4 NUMERIC\s+#{body} from Jane <jane@example.com>$", list.Stdout);

        CliResult shown = await OkAsync("templates", "show", app, emailId, "--json");
        Assert.Equal(body, shown.Json["emailTemplateId"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Pin_VoiceAndEmailChannels_SendResendAndMessages()
    {
        (string app, string template) = await AppAndTemplateAsync();
        string to = NewNumber();

        CliResult voice = await OkAsync("pin", "send", "--channel", "voice", "--app", app, "--template", template, "--to", to);
        Assert.Equal("PENDING_ACCEPTED", voice.Field("callStatus"));
        string pinId = voice.Field("pinId");
        string line = await _server.Deliveries.WaitForLineAsync(to);
        Assert.StartsWith("[opentfa:log] voice ", line, StringComparison.Ordinal);

        CliResult resent = await OkAsync("pin", "resend", pinId, "-c", "sms");
        Assert.Equal("MESSAGE_SENT", resent.Field("smsStatus"));
        await _server.Deliveries.WaitForLineAsync(to, nth: 2);

        CliResult messages = await OkAsync("pin", "messages", pinId);
        Assert.Matches(@"^MESSAGE ID\s+STEP\s+CHANNEL\s+STATE\s+TO", messages.Stdout);
        Assert.Equal(3, messages.Stdout.TrimEnd().Split('\n').Length);
        CliResult messagesJson = await OkAsync("pin", "messages", pinId, "--json");
        Assert.All(messagesJson.Json.AsArray(), m => Assert.Equal(pinId, m!["pinId"]!.GetValue<string>()));
        Assert.DoesNotContain(to, messages.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await OkAsync("pin", "messages", pinId, "--unmasked")).Stdout.Split(to).Length - 1);

        string emailTemplate = (await OkAsync("templates", "create-email", app, "--email-template-id", await EmailBodyAsync(), "--json")).Json["messageId"]!.GetValue<string>();
        string address = $"u{Guid.NewGuid():N}@example.com";
        CliResult email = await OkAsync("pin", "send", "--channel", "email", "--app", app, "--template", emailTemplate, "--to", address);
        Assert.StartsWith("PENDING_ACCEPTED", email.Field("emailStatus"), StringComparison.Ordinal);
        CliResult emailResent = await OkAsync("pin", "resend", email.Field("pinId"), "--channel", "email", "--json");
        Assert.Equal("PENDING_ACCEPTED", emailResent.Json["emailStatus"]!["name"]!.GetValue<string>());
        await _server.Deliveries.WaitForLineAsync(address, nth: 2);
    }

    [Fact]
    public async Task Pin_SendWithoutNumberCheck_AndStatusFilters()
    {
        (string app, string template) = await AppAndTemplateAsync();
        string to = NewNumber();

        CliResult sent = await OkAsync("pin", "send", "-a", app, "-t", template, "--to", to, "--no-number-check", "--json");
        Assert.Null(sent.Json["ncStatus"]);
        Assert.Equal("MESSAGE_SENT", sent.Json["smsStatus"]!.GetValue<string>());
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        await OkAsync("pin", "verify", sent.Json["pinId"]!.GetValue<string>(), pin);
        await OkAsync("pin", "send", "-a", app, "-t", template, "--to", to);

        Assert.Equal(2, (await OkAsync("pin", "status", "-a", app, "--to", to, "--json")).Json["verifications"]!.AsArray().Count);
        Assert.Single((await OkAsync("pin", "status", "-a", app, "--msisdn", to, "--verified", "true", "--json")).Json["verifications"]!.AsArray());
        Assert.Single((await OkAsync("pin", "status", "-a", app, "--to", to, "--verified", "false", "--json")).Json["verifications"]!.AsArray());
        CliResult none = await OkAsync("pin", "status", "-a", app, "--to", to, "--sent", "false");
        Assert.Equal($"No PINs sent to {to} by this application (or none matching the filters).", none.Stdout.Trim());
    }
}
