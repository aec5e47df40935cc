using OpenTfa.Cli.Tests.Infrastructure;

namespace OpenTfa.Cli.Tests;

/// <summary>The operator's commands through <c>opentfa</c> as a process: version, channels, protection, webhooks, audit, analytics, history.</summary>
public sealed class OperationCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private Task<CliResult> OkAsync(params string[] args) => _server.RunOkAsync(args);

    private async Task<(string App, string Template)> AppAndTemplateAsync()
    {
        string app = (await OkAsync("apps", "create", "ops", "--json")).Json["applicationId"]!.GetValue<string>();
        string template = (await OkAsync("templates", "create", app, "--text", "Your pin is {{pin}}", "--json")).Json["messageId"]!.GetValue<string>();
        return (app, template);
    }

    [Fact]
    public async Task VersionAndChannels_ShowTheServerAndItsChannels()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", (await OkAsync("version")).Field("version"));
        Assert.False(string.IsNullOrEmpty((await OkAsync("version", "--json")).Json["commit"]!.GetValue<string>()));
        CliResult channels = await OkAsync("channels", "list");
        Assert.Matches(@"(?m)^NAME\s+TYPE\s+KINDS\s+STATE", channels.Stdout);
        Assert.Matches(@"(?m)\slog\s+sms,voice,email,whatsapp,telegram\s+READY\s+CLOSED\s", channels.Stdout);
    }

    [Fact]
    public async Task Protection_SetFromAFile_ShownRefusingAndCounted_LockoutsListedAndCleared()
    {
        (string app, string template) = await AppAndTemplateAsync();
        string file = Path.Combine(_server.DataDirectory, $"policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, """{"countries":{"deny":["FR"]},"nist":true}""");

        CliResult set = await OkAsync("protection", "set", "--app", app, "--file", file);

        Assert.Contains("deny [FR] enforce", set.Field("countries"), StringComparison.Ordinal);
        Assert.Equal("yes", set.Field("nist"));
        Assert.True((await OkAsync("protection", "show", "--app", app, "--json")).Json["nist"]!.GetValue<bool>());
        Assert.Equal(1, (await _server.RunAsync("pin", "send", "--app", app, "--template", template, "--to", "33612345678")).ExitCode);
        Assert.Matches(@"(?m)^countries\s+enforce\s+1$", (await OkAsync("protection", "events", app)).Stdout);
        Assert.Contains("The pumping guard blocks no prefix.", (await OkAsync("protection", "blocks", app)).Stdout, StringComparison.Ordinal);

        string to = "4179" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string pinId = (await OkAsync("pin", "send", "--app", app, "--template", template, "--to", to, "--json")).Json["pinId"]!.GetValue<string>();
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        Assert.Equal(4, (await _server.RunAsync("pin", "verify", pinId, pin == "000000" ? "111111" : "000000")).ExitCode);
        Assert.Matches(@"(?m)^\S+\s+1\s+no\s", (await OkAsync("protection", "lockouts", app, "--minimum-failures", "1")).Stdout);
        Assert.Contains(to, (await OkAsync("protection", "lockouts", app, "--minimum-failures", "1", "--unmasked")).Stdout, StringComparison.Ordinal);

        Assert.Equal("Cleared.", (await OkAsync("protection", "clear-lockout", app, to)).Stdout.Trim());
        Assert.Equal(1, (await _server.RunAsync("protection", "clear-lockout", app, to)).ExitCode);
        await File.WriteAllTextAsync(file, """{"guard":{"mode":"sometimes"}}""");
        CliResult invalid = await _server.RunAsync("protection", "set", "--app", app, "--file", file);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("guard.mode", invalid.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhooks_CreateListShowUpdateRotateDeliveriesDelete()
    {
        (string app, _) = await AppAndTemplateAsync();

        CliResult created = await OkAsync("webhooks", "create", app, "--url", "https://hooks.example.com/opentfa", "--event", "pin.verified", "--description", "backend");

        string webhookId = created.Field("webhookId");
        Assert.Contains("The signing secret (shown only now", created.Stdout, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^{webhookId}\s+https://hooks\.example\.com/opentfa\s+pin\.verified\s+yes\s+backend$", (await OkAsync("webhooks", "list", app)).Stdout);
        Assert.Equal("no", (await OkAsync("webhooks", "update", app, webhookId, "--enabled", "false")).Field("enabled"));
        Assert.Equal("backend", (await OkAsync("webhooks", "show", app, webhookId)).Field("description"));
        string first = (await OkAsync("webhooks", "rotate-secret", app, webhookId, "--json")).Json["secret"]!.GetValue<string>();
        string second = (await OkAsync("webhooks", "rotate-secret", app, webhookId, "--json")).Json["secret"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        Assert.Contains("No deliveries yet.", (await OkAsync("webhooks", "deliveries", app, webhookId)).Stdout, StringComparison.Ordinal);

        Assert.Equal($"Deleted {webhookId}.", (await OkAsync("webhooks", "delete", app, webhookId)).Stdout.Trim());
        Assert.Equal(1, (await _server.RunAsync("webhooks", "show", app, webhookId)).ExitCode);
    }

    [Fact]
    public async Task AuditAnalyticsAndHistory_FollowAVerifiedPin()
    {
        (string app, string template) = await AppAndTemplateAsync();
        string to = "4179" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string pinId = (await OkAsync("pin", "send", "--app", app, "--template", template, "--to", to, "--json")).Json["pinId"]!.GetValue<string>();
        await OkAsync("pin", "verify", pinId, await _server.Deliveries.WaitForPinAsync(to));

        Assert.Contains("application.created", (await OkAsync("audit", "list", "--limit", "20")).Stdout, StringComparison.Ordinal);
        Assert.InRange((await OkAsync("audit", "list", "--limit", "20", "--json")).Json.AsArray().Count, 1, 20);
        System.Text.Json.Nodes.JsonNode totals = (await OkAsync("analytics", "--app", app, "--since", "1h", "--json")).Json["totals"]!;
        Assert.Equal(1, totals["sent"]!.GetValue<int>());
        Assert.Equal(1, totals["verified"]!.GetValue<int>());
        Assert.Matches(@"(?m)^total\s+1\s+0\s+1\s+100\.0\s?%", (await OkAsync("analytics", "--app", app, "--since", "1h")).Stdout);
        Assert.Matches($@"(?m)^{pinId}\s+sms\s+VERIFIED\s", (await OkAsync("history", app, to)).Stdout);
        Assert.Equal(to, (await OkAsync("history", app, to, "--unmasked", "--json")).Json["pins"]![0]!["destination"]!.GetValue<string>());
        Assert.Equal(2, (await _server.RunAsync("analytics", "--since", "yesterday")).ExitCode);
        Assert.Equal(1, (await OkAsync("analytics", "timeline", "--range", "hour", "--app", app, "--json")).Json["buckets"]!.AsArray().Sum(b => b!["verified"]!.GetValue<int>()));
        Assert.Matches(@"(?m)^STEP\s+SENT\s+VERIFIED", (await OkAsync("analytics", "timeline", "--app", app)).Stdout);
        Assert.Equal(2, (await _server.RunAsync("analytics", "timeline", "--range", "week")).ExitCode);
        string story = (await OkAsync("pin", "show", pinId)).Stdout;
        Assert.Contains($"PIN {pinId}: VERIFIED", story, StringComparison.Ordinal);
        Assert.Matches(@"(?m)\sVERIFIED\s*$", story);
        Assert.Equal(to, (await OkAsync("pin", "show", pinId, "--unmasked", "--json")).Json["to"]!.GetValue<string>());
    }

}
