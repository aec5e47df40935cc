using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using OpenTfa.Core.Security;
using OpenTfa.Server.Hosting;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Hosting;

/// <summary>
/// The real server process, started the ways a newcomer gets wrong: each refused start is one line
/// on standard error naming the setting or path, with its documented exit code, never a stack trace;
/// and nothing is delivered or claimed by a start that did not listen.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed partial class StartupFailureTests : IDisposable
{
    private const string Key = "startup-failure-tests-bootstrap-key-0123456789";
    private readonly string _workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-startup", Guid.NewGuid().ToString("N"));

    public StartupFailureTests() => Directory.CreateDirectory(_workingDirectory);

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"Bootstrap API key \(all scopes; shown only now\): (otf_\S+)")]
    private static partial Regex KeyLine();

    private static ProgramResult AssertRefused(ProgramResult run, int exitCode, params string[] named)
    {
        Assert.True(run.ExitCode == exitCode, run.ToString());
        string line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: OpenTfa cannot start (", line, StringComparison.Ordinal);
        foreach (string name in named)
        {
            Assert.Contains(name, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(StackFrame(), run.Output);
        return run;
    }

    private Task<ProgramResult> RunAsync(Dictionary<string, string>? environment, params string[] args) =>
        ServerProcess.RunToExitAsync(_workingDirectory, environment, args);

    [Fact]
    public async Task UnknownStorageProvider_ExitsWithTheConfigurationCode_NamingTheSetting()
    {
        ProgramResult run = await RunAsync(new() { ["OpenTfa__Storage__Provider"] = "oracle" });

        AssertRefused(run, ServerExitCodes.Configuration, "OpenTfa:Storage:Provider", "'oracle'", "sqlite or postgres");
        Assert.False(Directory.Exists(Path.Combine(_workingDirectory, "data", "opentfa.db")));
    }

    [Fact]
    public async Task MalformedSettingsFile_ExitsWithTheConfigurationCode_NamingTheFileAndLine()
    {
        string file = Path.Combine(_workingDirectory, "appsettings.json");
        await File.WriteAllTextAsync(file, "{\n  \"OpenTfa\": {\n    \"DataDirectory\": \"./data\"\n    \"MaxAuthFailuresPerMinute\": 30\n  }\n}\n");

        ProgramResult run = await RunAsync(null, "--config", file, "--urls", "http://127.0.0.1:0");

        AssertRefused(run, ServerExitCodes.Configuration, file, "is not valid JSON at line 4", "Correct the file");
    }

    [Fact]
    public async Task UnknownChannelType_ExitsWithTheConfigurationCode_NamingTheChannel()
    {
        ProgramResult run = await RunAsync(new() { ["OpenTfa__Channels__sms__Type"] = "fax" });

        AssertRefused(run, ServerExitCodes.Configuration, "OpenTfa:Channels:sms:Type", "'fax'");
    }

    [Fact]
    public async Task MisspelledOption_IsRefused_SuggestingTheRightOne()
    {
        ProgramResult run = await RunAsync(null, "--url", "http://127.0.0.1:0");

        AssertRefused(run, ServerExitCodes.Configuration, "--url is not an option", "did you mean --urls?");
        Assert.False(Directory.Exists(Path.Combine(_workingDirectory, "data")));
    }

    [Fact]
    public async Task DataFolderUnderAFile_ExitsWithTheStoreCode_NamingThePath()
    {
        string file = Path.Combine(_workingDirectory, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        ProgramResult run = await RunAsync(new() { ["OpenTfa__DataDirectory"] = Path.Combine(file, "data") });

        AssertRefused(run, ServerExitCodes.Store, Path.Combine(file, "data"), "OpenTfa:DataDirectory", "cannot be written");
    }

    [Fact]
    public async Task ReadOnlyDataFolder_ExitsWithTheStoreCode_NamingThePath()
    {
        // A data folder that already holds its key file, then made read-only: the store cannot be written.
        string data = Path.Combine(_workingDirectory, "data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var privateFile = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        await using (var writer = new StreamWriter(Path.Combine(data, "opentfa.key"), System.Text.Encoding.ASCII, privateFile))
        {
            await writer.WriteLineAsync(EncryptionKeyRing.NewKeyLine("k1"));
        }

        await MakeReadOnlyAsync(data, readOnly: true);
        try
        {
            ProgramResult run = await RunAsync(null);

            AssertRefused(run, ServerExitCodes.Store, data, "OpenTfa:DataDirectory", "cannot be written");
            Assert.False(File.Exists(Path.Combine(data, "opentfa.db")));
        }
        finally
        {
            await MakeReadOnlyAsync(data, readOnly: false);
        }
    }

    /// <summary>Permissions stop an ordinary user; root ignores them, so as root the folder is made immutable instead.</summary>
    private static async Task MakeReadOnlyAsync(string folder, bool readOnly)
    {
        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(folder, readOnly ? UnixFileMode.UserRead | UnixFileMode.UserExecute : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        await PeerProcess.RunCheckedAsync(new ProgramStart("chattr", [readOnly ? "+i" : "-i", folder]), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task UnreachablePostgres_ExitsWithTheStoreCode_NamingTheServer_NotThePassword()
    {
        int closed = FreePort();
        ProgramResult run = await RunAsync(new()
        {
            ["OpenTfa__Storage__Provider"] = "postgres",
            ["OpenTfa__Storage__ConnectionString"] = $"Host=127.0.0.1;Port={closed};Database=otp;Username=otp;Password=pg-secret-value",
            ["OpenTfa__Encryption__Key"] = EncryptionKeyRing.NewKeyLine("k1"),
        });

        AssertRefused(run, ServerExitCodes.Store, $"PostgreSQL at 127.0.0.1:{closed}, database 'otp'", "OpenTfa:Storage:ConnectionString");
        Assert.DoesNotContain("pg-secret-value", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PortInUse_ExitsWithTheListenerCode_NamingTheAddress()
    {
        using TcpListener busy = Busy(out string url);

        ProgramResult run = await RunAsync(new() { ["OpenTfa__BootstrapApiKey"] = Key }, "--urls", url);

        AssertRefused(run, ServerExitCodes.Listener, url, "--urls", "address already in use");
    }

    [Fact]
    public async Task PortInUse_ClaimsNoQueuedMessage_TheLeaseStaysEmpty()
    {
        var environment = new Dictionary<string, string>
        {
            ["OpenTfa__BootstrapApiKey"] = Key,
            ["OpenTfa__Channels__gateway__Type"] = "webhook",
            ["OpenTfa__Channels__gateway__Url"] = $"http://127.0.0.1:{FreePort()}/sms",
            ["OpenTfa__Channels__gateway__Secret"] = "gateway-secret-0123456789",
            ["OpenTfa__Channels__gateway__Timeout"] = "00:00:02",
            ["OpenTfa__Delivery__RetryInitialDelay"] = "00:05:00",
            ["OpenTfa__Delivery__RetryMaxDelay"] = "00:10:00",
        };

        // A message whose first attempt failed waits in the outbox for its retry.
        await using (ServerProcess first = await ServerProcess.StartAsync(_workingDirectory, environment))
        {
            using var client = TestServer.ClientFor(first.BaseAddress, key: null);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("App", Key);
            (string app, string template) = await client.CreateAppAndTemplateAsync(Api.RoomyApplication(ttl: "1h"));
            string pinId = await client.SendPinOkAsync(app, template, "41793026727");
            JsonNode message = await Poll.UntilAsync(
                async () => (await client.GetJsonAsync($"/opentfa/v1/pins/{pinId}/messages")).Json[0]!,
                message => message["attempts"]!.GetValue<int>() > 0,
                TimeSpan.FromSeconds(30),
                message => $"no attempt recorded for {pinId}: {message}");
            Assert.Equal("QUEUED", message["state"]!.GetValue<string>());
        }

        string database = Path.Combine(_workingDirectory, "data", "opentfa.db");
        await ExecuteAsync(database, "UPDATE outbox SET next_attempt_at = 0");
        (long attempts, string? owner) = await OutboxRowAsync(database);

        using TcpListener busy = Busy(out string url);
        AssertRefused(await RunAsync(environment, "--urls", url), ServerExitCodes.Listener, url);

        Assert.Equal((attempts, (string?)null), await OutboxRowAsync(database));
        Assert.Null(owner);
    }

    [Fact]
    public async Task GeneratedKey_OfAStartThatFailed_IsShownByTheNextStart_ThenNeverAgain()
    {
        using (TcpListener busy = Busy(out string url))
        {
            ProgramResult failed = AssertRefused(await RunAsync(null, "--urls", url), ServerExitCodes.Listener);
            Assert.DoesNotContain("Bootstrap API key", failed.Output, StringComparison.Ordinal);
        }

        Assert.True(File.Exists(Path.Combine(_workingDirectory, "data", PendingBootstrapKey.FileName)));
        string key;
        await using (ServerProcess second = await ServerProcess.StartAsync(_workingDirectory))
        {
            Match shown = await second.WaitForOutputAsync(KeyLine());
            Assert.True(shown.Success, second.Output);
            key = shown.Groups[1].Value;
            using var client = TestServer.ClientFor(second.BaseAddress, key: null);
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("App", key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/opentfa/v1/keys")).Status);
        }

        Assert.False(File.Exists(Path.Combine(_workingDirectory, "data", PendingBootstrapKey.FileName)));

        // A key configured on a store that already has keys is ignored, and the log says so.
        await using ServerProcess third = await ServerProcess.StartAsync(_workingDirectory, new Dictionary<string, string> { ["OpenTfa__BootstrapApiKey"] = Key });
        Match ignored = await third.WaitForOutputAsync(IgnoredKey());
        Assert.True(ignored.Success, third.Output);
        Assert.Contains("That key is not one of them", third.Output, StringComparison.Ordinal);
        Assert.Contains("opentfa admin create-key", third.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bootstrap API key", third.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, third.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"OpenTfa:BootstrapApiKey was ignored: the store already has API keys")]
    private static partial Regex IgnoredKey();

    [Fact]
    public async Task HelpAndVersion_AnswerWithoutStarting()
    {
        ProgramResult help = await RunAsync(null, "--help");
        Assert.True(help.ExitCode == ServerExitCodes.Ok, help.ToString());
        foreach (string text in new[] { "one-time PIN", "--urls", "--config", "OpenTfa:DataDirectory", "OpenTfa:Storage:Provider", "OpenTfa:BootstrapApiKey", "docs/", "2 configuration, 3 store, 4 listener" })
        {
            Assert.Contains(text, help.Stdout, StringComparison.Ordinal);
        }

        ProgramResult version = await RunAsync(null, "--version");
        Assert.True(version.ExitCode == ServerExitCodes.Ok, version.ToString());
        Assert.Equal($"OpenTfa {BuildInfo.Version} (commit {BuildInfo.Commit[..Math.Min(12, BuildInfo.Commit.Length)]})", version.Stdout.Trim());
        Assert.Empty(help.Stderr + version.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_workingDirectory, "data")));
    }

    private static int FreePort() => OpenTfa.Testing.FreePort.Next();

    private static TcpListener Busy(out string url)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        return listener;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private static async Task<(long Attempts, string? LeaseOwner)> OutboxRowAsync(string database)
    {
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        await connection.OpenAsync();
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT attempts, lease_owner, lease_until FROM outbox";
        await using SqliteDataReader row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.True(row.IsDBNull(2));
        return (row.GetInt64(0), row.IsDBNull(1) ? null : row.GetString(1));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temp folder later.
        }
    }
}
