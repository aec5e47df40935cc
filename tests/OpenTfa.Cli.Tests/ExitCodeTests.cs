using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Cli.Tests.Infrastructure;

namespace OpenTfa.Cli.Tests;

/// <summary>The documented exit codes, and that each error says what to do.</summary>
public sealed class ExitCodeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string UnknownId = "0123456789ABCDEF0123456789ABCDEF";
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Help_ExitsZero_AndListsTheCommands()
    {
        CliResult help = await CliProcess.RunAsync(["--help"], CliProcess.Env(null, null));

        Assert.Equal(0, help.ExitCode);
        foreach (string command in new[] { "serve", "server", "keys", "tenants", "apps", "templates", "pin" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s", help.Stdout);
        }

        Assert.Contains("OPENTFA_URL", help.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("apps", "show")]
    [InlineData("pin", "send", "--app", "A", "--template", "T")]
    [InlineData("pin", "send", "--app", "A", "--template", "T", "--to", "41793026727", "--channel", "fax")]
    [InlineData("apps", "create", "x", "--pin-attempts", "many")]
    public async Task UsageErrors_ExitTwo_AndPointToHelp(params string[] args)
    {
        CliResult result = await _server.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith("error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--help", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task NoApiKey_ExitsTwo_AndNamesTheVariable()
    {
        CliResult result = await _server.RunWithKeyAsync(null, "apps", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("set OPENTFA_API_KEY or pass --api-key", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedPlaceholderOrUrl_ExitTwo()
    {
        CliResult placeholder = await _server.RunAsync("pin", "send", "-a", "A", "-t", "T", "--to", "41793026727", "-p", "firstName");
        Assert.Equal(2, placeholder.ExitCode);
        Assert.Contains("is not name=value", placeholder.Stderr, StringComparison.Ordinal);

        CliResult url = await CliProcess.RunAsync(["apps", "list", "--url", "ftp://example.com"], CliProcess.Env(null, "k"));
        Assert.Equal(2, url.ExitCode);
        Assert.Contains("is not an http or https address", url.Stderr, StringComparison.Ordinal);

        CliResult expiry = await _server.RunAsync("keys", "create", "--scope", "2fa:manage", "--expires", "soon");
        Assert.Equal(2, expiry.ExitCode);
    }

    [Fact]
    public async Task OptionsOverrideTheEnvironment()
    {
        CliResult result = await CliProcess.RunAsync(
            ["apps", "list", "--url", _server.BaseAddress.ToString(), "--api-key", TestServer.BootstrapKey],
            CliProcess.Env("http://127.0.0.1:1", "wrong-key"));

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task BadRequest_ExitsOne_AndListsTheFields()
    {
        CliResult result = await _server.RunAsync("apps", "create", "x", "--pin-ttl", "forever", "--pin-attempts", "0");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("error: 400 BAD_REQUEST: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("  configuration.pinTimeToLive: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("  configuration.pinAttempts: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Fix the values named above", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequest_WithJson_PrintsTheErrorBodyOnStdout()
    {
        CliResult result = await _server.RunAsync("keys", "create", "--scope", "root", "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(400, result.Json["status"]!.GetValue<int>());
        Assert.NotNull(result.Json["errors"]!["scopes"]);
        Assert.Contains("scopes: 'root' is not a scope", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthorized_ExitsOne_AndSaysToCheckTheKey()
    {
        CliResult result = await _server.RunWithKeyAsync("wrong-key", "apps", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("401 UNAUTHORIZED: Invalid login details", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("check OPENTFA_API_KEY or --api-key", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forbidden_ExitsOne_AndNamesTheScope()
    {
        string key = (await _server.RunAsync("keys", "create", "--scope", "2fa:pin:send", "--json")).Json["key"]!.GetValue<string>();

        CliResult result = await _server.RunWithKeyAsync(key, "apps", "create", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("403 FORBIDDEN", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("2fa:manage", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("opentfa keys create --scope", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledApplication_ExitsOne_AndSaysHowToEnableIt()
    {
        string app = (await _server.RunAsync("apps", "create", "off", "--enabled", "false", "--json")).Json["applicationId"]!.GetValue<string>();
        string template = (await _server.RunAsync("templates", "create", app, "--text", "{{pin}}", "--json")).Json["messageId"]!.GetValue<string>();

        CliResult result = await _server.RunAsync("pin", "send", "-a", app, "-t", template, "--to", "41793026727");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"opentfa apps update <applicationId> --enabled true", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFound_ExitsOne_OnBothSurfaces()
    {
        CliResult app = await _server.RunAsync("apps", "show", UnknownId);
        Assert.Equal(1, app.ExitCode);
        Assert.Contains("404 NOT_FOUND", app.Stderr, StringComparison.Ordinal);
        Assert.Contains("Check the id", app.Stderr, StringComparison.Ordinal);

        CliResult key = await _server.RunAsync("keys", "revoke", "nope");
        Assert.Equal(1, key.ExitCode);
        Assert.Contains("404 Not found: API key not found", key.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_ExitsOne_AndSaysWhenToRetry()
    {
        string app = (await _server.RunAsync("apps", "create", "tight", "--send-pin-per-phone-number-limit", "1/1h", "--json")).Json["applicationId"]!.GetValue<string>();
        string template = (await _server.RunAsync("templates", "create", app, "--text", "{{pin}}", "--json")).Json["messageId"]!.GetValue<string>();
        Assert.Equal(0, (await _server.RunAsync("pin", "send", "-a", app, "-t", template, "--to", "41793026000")).ExitCode);

        CliResult result = await _server.RunAsync("pin", "send", "-a", app, "-t", template, "--to", "41793026000");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("429 TOO_MANY_REQUESTS", result.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"try again in \d+ s\.", result.Stderr);
    }

    [Fact]
    public async Task WrongPin_ExitsFour_UnknownPinExitsOne()
    {
        string app = (await _server.RunAsync("apps", "create", "v", "--verify-pin-limit", "100/1m", "--json")).Json["applicationId"]!.GetValue<string>();
        string template = (await _server.RunAsync("templates", "create", app, "--text", "Code {{pin}}", "--json")).Json["messageId"]!.GetValue<string>();
        string pinId = (await _server.RunAsync("pin", "send", "-a", app, "-t", template, "--to", "41793026001", "--json")).Json["pinId"]!.GetValue<string>();
        string pin = await _server.Deliveries.WaitForPinAsync("41793026001");

        CliResult wrong = await _server.RunAsync("pin", "verify", pinId, pin == "0000" ? "1111" : "0000", "--json");
        Assert.Equal(4, wrong.ExitCode);
        Assert.Equal("WRONG_PIN", wrong.Json["pinError"]!.GetValue<string>());
        Assert.Equal(9, wrong.Json["attemptsRemaining"]!.GetValue<int>());

        Assert.Equal(1, (await _server.RunAsync("pin", "verify", UnknownId, "1234")).ExitCode);
        Assert.Equal(0, (await _server.RunAsync("pin", "verify", pinId, pin)).ExitCode);
    }

    [Fact]
    public async Task UnreachableServer_ExitsThree_AndSaysHowToStartOne()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }

        CliResult result = await CliProcess.RunAsync(["server", "status"], CliProcess.Env($"http://127.0.0.1:{port}", null));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"cannot reach the OpenTfa server at http://127.0.0.1:{port}/", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("opentfa serve", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorAndNotReady_ExitThree()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication failing = builder.Build();
        failing.MapGet("/2fa/2/applications", () => Results.Text(
            """{"requestError":{"serviceException":{"messageId":"GENERAL_ERROR","text":"The store is unavailable"}}}""", "application/json", statusCode: 503));
        failing.MapGet("/health/live", () => Results.Text("""{"status":"live"}""", "application/json"));
        failing.MapGet("/health/ready", () => Results.Text("""{"status":"unavailable","details":{"store":"unavailable"}}""", "application/json", statusCode: 503));
        await failing.StartAsync();
        string url = failing.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        CliResult apps = await CliProcess.RunAsync(["apps", "list"], CliProcess.Env(url, "k"));
        Assert.Equal(3, apps.ExitCode);
        Assert.Contains("503 GENERAL_ERROR: The store is unavailable", apps.Stderr, StringComparison.Ordinal);
        Assert.Contains("check its log", apps.Stderr, StringComparison.Ordinal);

        CliResult status = await CliProcess.RunAsync(["server", "status"], CliProcess.Env(url, null));
        Assert.Equal(3, status.ExitCode);
        Assert.Equal("unavailable", status.Field("ready"));
        Assert.Contains("is not ready", status.Stderr, StringComparison.Ordinal);
    }
}
