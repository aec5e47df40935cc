using OpenTfa.Cli.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Cli.Tests;

public sealed class ServeFixture : SharedFixture<ServeProcess>
{
    public ServeProcess Server => Value;

    protected override Task<ServeProcess> StartAsync() => ServeProcess.StartAsync();
}

/// <summary>The flow of Infobip's SDK page through <c>opentfa</c> commands, against <c>opentfa serve</c> run as a process.</summary>
public sealed class SeedFlowTests(ServeFixture fixture) : IClassFixture<ServeFixture>
{
    private const string To = "41793026727";
    private readonly ServeProcess _server = fixture.Server;

    [Fact]
    public async Task SeedFlow_ThroughOpentfaCommands_SendsResendsAndVerifies()
    {
        CliResult app = await _server.RunAsync("apps", "create", "My 2FA application",
            "--pin-attempts", "5", "--pin-ttl", "10m", "--allow-multiple-pin-verifications", "true",
            "--send-pin-per-application-limit", "2/4s", "--send-pin-per-phone-number-limit", "2/1d", "--verify-pin-limit", "5000/12h");
        Assert.True(app.ExitCode == 0, app.ToString());
        string appId = app.Field("applicationId");
        Assert.Matches("^[0-9A-F]{32}$", appId);
        Assert.Equal("yes", app.Field("enabled"));
        Assert.Equal("2/4s", app.Field("sendPinPerApplicationLimit"));

        CliResult template = await _server.RunAsync("templates", "create", appId, "--text", "Your pin is {{pin}}", "--pin-type", "NUMERIC", "--pin-length", "4", "--language", "en");
        Assert.True(template.ExitCode == 0, template.ToString());
        string messageId = template.Field("messageId");
        Assert.Equal("{{pin}}", template.Field("pinPlaceholder"));

        CliResult send = await _server.RunAsync("pin", "send", "--app", appId, "--template", messageId, "--to", To, "--from", "InfoSMS", "--placeholder", "firstName=John");
        Assert.True(send.ExitCode == 0, send.ToString());
        string pinId = send.Field("pinId");
        Assert.Equal("MESSAGE_SENT", send.Field("smsStatus"));
        Assert.Equal("NC_NOT_CONFIGURED", send.Field("ncStatus"));
        string pin = await _server.WaitForPinAsync(To);
        Assert.Contains(_server.Lines, l => l == $"[opentfa:log] sms to={To} from=InfoSMS text=\"Your pin is {pin}\"");

        CliResult resend = await _server.RunAsync("pin", "resend", pinId, "--placeholder", "firstName=John", "--json");
        Assert.True(resend.ExitCode == 0, resend.ToString());
        Assert.Equal(pinId, resend.Json["pinId"]!.GetValue<string>());
        Assert.Equal(pin, await _server.WaitForPinAsync(To, nth: 2));

        CliResult wrong = await _server.RunAsync("pin", "verify", pinId, pin == "0000" ? "1111" : "0000");
        Assert.True(wrong.ExitCode == 4, wrong.ToString());
        Assert.StartsWith("Not verified: WRONG_PIN.", wrong.Stdout, StringComparison.Ordinal);
        Assert.Equal("4", wrong.Field("attemptsRemaining"));

        CliResult right = await _server.RunAsync("pin", "verify", pinId, pin);
        Assert.True(right.ExitCode == 0, right.ToString());
        Assert.StartsWith("Verified.", right.Stdout, StringComparison.Ordinal);
        Assert.Equal(To, right.Field("msisdn"));

        CliResult status = await _server.RunAsync("pin", "status", "--app", appId, "--to", To);
        Assert.True(status.ExitCode == 0, status.ToString());
        string[] lines = status.Stdout.TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^SENT AT\s+VERIFIED\s+VERIFIED AT\s+MSISDN$", lines[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+yes\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+41793026727$", lines[1]);

        CliResult json = await _server.RunAsync("pin", "status", "--app", appId, "--to", To, "--json");
        Assert.True(json.Json["verifications"]![0]!["verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task ServerStatus_OfTheServedProcess_IsLiveAndReady()
    {
        CliResult status = await _server.RunAsync("server", "status");

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Equal("live", status.Field("live"));
        Assert.Equal("ready", status.Field("ready"));
        Assert.Equal("ok", status.Field("store"));
        Assert.StartsWith("development only", status.Field("channel:log"), StringComparison.Ordinal);

        CliResult json = await _server.RunAsync("server", "status", "--json");
        Assert.Equal("live", json.Json["live"]!["status"]!.GetValue<string>());
        Assert.Equal("ready", json.Json["ready"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Serve_TakesItsSettingsFromTheEnvironment_AndWritesItsDataThere()
    {
        CliResult keys = await _server.RunAsync("keys", "list");

        Assert.True(keys.ExitCode == 0, keys.ToString());
        Assert.Contains("bootstrap", keys.Stdout, StringComparison.Ordinal);
        Assert.True(Directory.EnumerateFiles(Path.Combine(_server.DataDirectory, "data")).Any());
    }
}
