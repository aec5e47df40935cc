using OpenTfa.Cli.Tests.Infrastructure;

namespace OpenTfa.Cli.Tests;

/// <summary><c>opentfa workflow</c> as a process, and the steps of a workflow PIN in <c>pin show</c>, <c>pin messages</c> and <c>analytics</c>.</summary>
public sealed class WorkflowCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private Task<CliResult> OkAsync(params string[] args) => _server.RunOkAsync(args);

    private async Task<string> AppAsync() => (await OkAsync("apps", "create", "workflow", "--json")).Json["applicationId"]!.GetValue<string>();

    [Fact]
    public async Task Workflow_SetShownAndRemoved_AndShowExitsOneWithoutOne()
    {
        string app = await AppAsync();
        CliResult none = await _server.RunAsync("workflow", "show", app);

        CliResult set = await OkAsync("workflow", "set", app, "--step", "whatsapp:30", "--step", "sms:60s", "--step", "voice", "--new-pin-per-step");
        CliResult json = await OkAsync("workflow", "show", app, "--json");
        CliResult removed = await OkAsync("workflow", "remove", app);
        CliResult unknown = await _server.RunAsync("workflow", "show", "0000000000000000000000000000DEAD");

        Assert.Equal(1, none.ExitCode);
        Assert.Contains($"application {app} has no workflow", none.Stderr, StringComparison.Ordinal);
        Assert.Equal(app, set.Field("applicationId"));
        Assert.Equal("yes", set.Field("newPinPerStep"));
        Assert.Matches(@"(?m)^STEP\s+CHANNEL\s+WAIT$", set.Stdout);
        Assert.Matches(@"(?m)^1\s+whatsapp\s+30 s$", set.Stdout);
        Assert.Matches(@"(?m)^2\s+sms\s+60 s$", set.Stdout);
        Assert.Matches(@"(?m)^3\s+voice\s+-$", set.Stdout);
        Assert.Equal(["whatsapp", "sms", "voice"], json.Json["steps"]!.AsArray().Select(s => s!["channel"]!.GetValue<string>()));
        Assert.Equal(60, json.Json["steps"]![1]!["waitSeconds"]!.GetValue<int>());
        Assert.Equal($"Removed the workflow of {app}.", removed.Stdout.Trim());
        Assert.Equal(1, (await _server.RunAsync("workflow", "show", app)).ExitCode);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Application not found", unknown.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("has no workflow", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkflowSet_RefusedStep_ExitsOneNamingTheField_MalformedStep_ExitsTwo()
    {
        string app = await AppAsync();

        CliResult refused = await _server.RunAsync("workflow", "set", app, "--step", "fax:30", "--step", "sms");
        CliResult refusedJson = await _server.RunAsync("workflow", "set", app, "--step", "sms", "--step", "voice", "--json");
        CliResult malformed = await _server.RunAsync("workflow", "set", app, "--step", "sms:soon", "--step", "voice");
        CliResult noSteps = await _server.RunAsync("workflow", "set", app);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("steps[0].channel: must be sms, voice, email, whatsapp or telegram", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, refusedJson.ExitCode);
        Assert.Equal("is required for every step but the last", refusedJson.Json["errors"]!["steps[0].waitSeconds"]![0]!.GetValue<string>());
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("--step 'sms:soon' is not channel:seconds", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, noSteps.ExitCode);
        Assert.Equal(1, (await _server.RunAsync("workflow", "show", app)).ExitCode);
    }

    [Fact]
    public async Task WorkflowPin_ShowsItsPlanAndSteps_AndAnalyticsCountsItByStep()
    {
        string app = await AppAsync();
        string template = (await OkAsync("templates", "create", app, "--text", "Your pin is {{pin}}", "--json")).Json["messageId"]!.GetValue<string>();
        await OkAsync("workflow", "set", app, "--step", "sms:600", "--step", "voice");
        string to = "4179" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

        string pinId = (await OkAsync("pin", "send", "--app", app, "--template", template, "--to", to, "--json")).Json["pinId"]!.GetValue<string>();
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        CliResult pending = await OkAsync("pin", "show", pinId);
        CliResult messages = await OkAsync("pin", "messages", pinId);
        await OkAsync("pin", "verify", pinId, pin);
        CliResult verified = await OkAsync("pin", "show", pinId);
        CliResult analytics = await OkAsync("analytics", "--app", app, "--since", "1h");

        Assert.Matches(@"(?m)^Workflow: sms \(600 s\), voice; the same PIN on every step; 1 of 2 step\(s\) run, step 2 \(voice\) due \d{4}-\d\d-\d\d ", pending.Stdout);
        Assert.Matches(@"(?m)^MESSAGE ID\s+STEP\s+CHANNEL\s+STATE", pending.Stdout);
        Assert.Matches(@"(?m)^\S+\s+1\s+sms\s+", pending.Stdout);
        Assert.Matches(@"(?m)^\S+\s+1\s+sms\s+", messages.Stdout);
        Assert.Contains("1 of 2 step(s) run, no step due", verified.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^WORKFLOW STEP\s+SENT\s+VERIFIED\s+CONVERSION", analytics.Stdout);
        Assert.Matches(@"(?m)^1:sms\s+1\s+1\s+100\.0\s?%", analytics.Stdout);
    }
}
