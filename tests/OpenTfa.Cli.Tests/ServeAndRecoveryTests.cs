using System.Net.Http.Headers;
using System.Security.Cryptography;
using OpenTfa.Cli.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Cli.Tests;

/// <summary>
/// <c>opentfa serve</c> reads the operator's settings (the working directory's appsettings.json,
/// or --config) and refuses what it would ignore; <c>opentfa admin create-key</c> mints an operator
/// key straight into the store when the only admin key is lost.
/// </summary>
public sealed class ServeAndRecoveryTests : IDisposable
{
    private const string Key = "serve-settings-bootstrap-key-0123456789abcdef";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "opentfa-cli-tests", Guid.NewGuid().ToString("N"));

    public ServeAndRecoveryTests() => Directory.CreateDirectory(_dir);

    private static string Settings(string dataDirectory) =>
        $$"""{ "OpenTfa": { "DataDirectory": "{{dataDirectory}}", "BootstrapApiKey": "{{Key}}" } }""";

    [Fact]
    public async Task Serve_ReadsAppSettingsFromTheWorkingDirectory()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "appsettings.json"), Settings("from-working-directory"));

        await using ServeProcess server = await ServeProcess.StartAsync(_dir, url => ["serve", "--urls", url], CliProcess.Env(null, null));

        Assert.True(File.Exists(Path.Combine(_dir, "from-working-directory", "opentfa.db")), string.Join('\n', server.Lines));
        CliResult status = await CliProcess.RunAsync(["keys", "list"], CliProcess.Env(server.Url, Key));
        Assert.True(status.ExitCode == 0, status.ToString());
    }

    [Fact]
    public async Task Serve_WithConfig_ReadsThatFile_AndNotTheWorkingDirectorysOne()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "appsettings.json"), "{ this is not JSON");
        string config = Path.Combine(_dir, "production.json");
        await File.WriteAllTextAsync(config, Settings("from-config"));

        await using ServeProcess server = await ServeProcess.StartAsync(_dir, url => ["serve", "--config", config, "--urls", url], CliProcess.Env(null, null));

        Assert.True(File.Exists(Path.Combine(_dir, "from-config", "opentfa.db")), string.Join('\n', server.Lines));
    }

    [Fact]
    public async Task Serve_MalformedAppSettings_ExitsTwo_NamingTheFileInTheWorkingDirectory()
    {
        string file = Path.Combine(_dir, "appsettings.json");
        await File.WriteAllTextAsync(file, "{ \"OpenTfa\": { \"DataDirectory\": \"data\" ");

        CliResult result = await CliProcess.RunAsync(["serve", "--urls", "http://127.0.0.1:0"], CliProcess.Env(null, null), _dir);

        Assert.True(result.ExitCode == 2, result.ToString());
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"'{file}' is not valid JSON", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "did you mean --urls")]
    [InlineData("--Urlz", "did you mean --urls")]
    [InlineData("--DataDirectory", "--DataDirectory is not an option of the OpenTfa server")]
    public async Task Serve_AnOptionItWouldIgnore_IsRefusedWithExitTwo(string option, string says)
    {
        CliResult result = await CliProcess.RunAsync(["serve", option, "somewhere"], CliProcess.Env(null, null), _dir);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(says, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task AdminCreateKey_OnTheSqliteDataFolder_MintsAWorkingOperatorKey_AuditedAsRecovered()
    {
        await using ServeProcess server = await ServeProcess.StartAsync();

        CliResult created = await CliProcess.RunAsync(["admin", "create-key", "--data-directory", Path.Combine(server.DataDirectory, "data")], CliProcess.Env(null, null));

        Assert.True(created.ExitCode == 0, created.ToString());
        string key = created.Stdout.Trim().Split('\n')[^1].Trim();
        Assert.StartsWith("otf_", key, StringComparison.Ordinal);
        Assert.Equal("operator", created.Field("tenantId"));
        CliResult listed = await CliProcess.RunAsync(["keys", "list"], CliProcess.Env(server.Url, key));
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains(created.Field("keyId"), listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("key.recovered", await AuditAsync(new Uri(server.Url), key), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCreateKey_OnAFolderWithoutADatabase_ExitsThree_AndCreatesNothing()
    {
        CliResult result = await CliProcess.RunAsync(["admin", "create-key", "--data-directory", Path.Combine(_dir, "typo")], CliProcess.Env(null, null));

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("there is no OpenTfa database at", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_dir, "typo")));
    }

    [Fact]
    public async Task AdminCreateKey_OnPostgres_MintsAKeyTheServerAccepts()
    {
        await using PostgresServer postgres = await PostgresServer.StartAsync();
        string database = await postgres.CreateDatabaseAsync();
        // A store that already has its bootstrap key: the recovered key is a second operator key.
        await (await TestServer.StartAsync(PostgresSettings(database))).DisposeAsync();

        CliResult created = await CliProcess.RunAsync(["admin", "create-key", "--connection-string", database, "--name", "after the laptop died"], CliProcess.Env(null, null));

        Assert.True(created.ExitCode == 0, created.ToString());
        string key = created.Stdout.Trim().Split('\n')[^1].Trim();
        await using TestServer server = await TestServer.StartAsync(PostgresSettings(database));
        string audit = await AuditAsync(server.BaseAddress, key);
        Assert.Contains("key.recovered", audit, StringComparison.Ordinal);
        Assert.Contains(created.Field("keyId"), audit, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> PostgresSettings(string database) => new()
    {
        ["OpenTfa:Storage:Provider"] = "postgres",
        ["OpenTfa:Storage:ConnectionString"] = database,
        ["OpenTfa:Encryption:Key"] = $"k1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
    };

    private static async Task<string> AuditAsync(Uri server, string key)
    {
        using var client = new HttpClient { BaseAddress = server };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", key);
        using HttpResponseMessage response = await client.GetAsync(new Uri("/opentfa/v1/audit", UriKind.Relative));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Removed with the temp folder later.
        }
    }
}
