using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smtp;
using OpenTfa.Server.Hosting;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Hosting;

/// <summary>What start-up refuses, and what it says: one problem per line, each naming its setting, never a secret.</summary>
public sealed class SettingsValidationTests
{
    private const string Heading = "Invalid OpenTfa configuration:";

    /// <summary>The problems start-up reports for <paramref name="settings"/>, one per line, after checking the heading.</summary>
    private static string[] Problems(Dictionary<string, string?> settings)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(settings));
        string[] lines = ex.Message.Split(Environment.NewLine);
        Assert.Equal(Heading, lines[0]);
        Assert.All(lines[1..], l => Assert.StartsWith("  OpenTfa:", l, StringComparison.Ordinal));
        return [.. lines[1..].Select(l => l.Trim())];
    }

    [Fact]
    public void MisspelledSetting_IsRefused_WithTheNearestValidName()
    {
        string problem = Assert.Single(Problems(new() { ["OpenTfa:Storage:Provder"] = "postgres" }));

        Assert.Equal("OpenTfa:Storage:Provder is not an OpenTfa setting; did you mean OpenTfa:Storage:Provider?", problem);
    }

    [Fact]
    public void SettingOneLevelTooHigh_SuggestsWhereItBelongs()
    {
        string problem = Assert.Single(Problems(new() { ["OpenTfa:ConnectionString"] = "Host=db" }));

        Assert.Equal("OpenTfa:ConnectionString is not an OpenTfa setting; did you mean OpenTfa:Storage:ConnectionString?", problem);
    }

    [Fact]
    public void UnknownSettingWithNoNearName_ListsTheSettingsOfItsSection()
    {
        string problem = Assert.Single(Problems(new() { ["OpenTfa:Retention:Forever"] = "true" }));

        Assert.Equal("OpenTfa:Retention:Forever is not an OpenTfa setting; the settings of OpenTfa:Retention are History, Interval, PinAfterExpiry", problem);
    }

    [Fact]
    public void ChannelSettingOfAnotherType_IsRefused_WithTheNearestSettingOfItsType()
    {
        string[] problems = Problems(new()
        {
            ["OpenTfa:Channels:mail:Type"] = "smtp",
            ["OpenTfa:Channels:mail:Hots"] = "smtp.example.com",
            ["OpenTfa:Channels:mail:SystemId"] = "acme",
        });

        Assert.Contains("OpenTfa:Channels:mail:Hots is not a setting of the smtp channel; did you mean OpenTfa:Channels:mail:Host?", problems);
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:mail:SystemId is not a setting of the smtp channel; the settings of OpenTfa:Channels:mail are ", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownChannelType_SuggestsTheNearestType()
    {
        string problem = Assert.Single(Problems(new() { ["OpenTfa:Channels:sms:Type"] = "kanel" }));

        Assert.StartsWith("OpenTfa:Channels:sms:Type 'kanel' is not a channel type (did you mean kannel?): use one of discard, kannel, log, smpp, smtp", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesOfTheWrongShape_AreNamed_BeforeAnythingIsBound()
    {
        string[] problems = Problems(new()
        {
            ["OpenTfa:Pins:MaxSmsSegments"] = "six",
            ["OpenTfa:Delivery:SendTimeout"] = "30s",
            ["OpenTfa:Logging:Json"] = "yes",
            ["OpenTfa:Channels:mail:Type"] = "smtp",
            ["OpenTfa:Channels:mail:Security"] = "Ssl",
            ["OpenTfa:TrustedProxies:first"] = "10.0.0.1",
        });

        Assert.Equal(
            [
                "OpenTfa:Channels:mail:Security must be one of None, StartTls, Tls; got 'Ssl'",
                "OpenTfa:Delivery:SendTimeout must be a duration such as 00:00:30 (hh:mm:ss, or d.hh:mm:ss); got '30s'",
                "OpenTfa:Logging:Json must be true or false; got 'yes'",
                "OpenTfa:Pins:MaxSmsSegments must be a whole number; got 'six'",
                "OpenTfa:TrustedProxies:first is not a list position: the items of OpenTfa:TrustedProxies are numbered (OpenTfa:TrustedProxies:0, OpenTfa:TrustedProxies:1, …)",
            ],
            problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryBadValue_IsReported_AtOnce_WithItsValue()
    {
        string[] problems = Problems(new()
        {
            ["OpenTfa:Storage:Provider"] = "oracle",
            ["OpenTfa:Storage:SqliteSynchronous"] = "OFF",
            ["OpenTfa:Storage:CommandTimeout"] = "00:20:00",
            ["OpenTfa:MaxRequestBodyBytes"] = "100",
            ["OpenTfa:Delivery:ClaimDelay"] = "00:00:05",
            ["OpenTfa:Protection:MaxTestNumberLifetime"] = "400.00:00:00",
            ["OpenTfa:Telemetry:TraceSampleRatio"] = "1.5",
            ["OpenTfa:Webhooks:MaxAttempts"] = "0",
        });

        Assert.Equal(
            [
                "OpenTfa:Delivery:ClaimDelay must be between 00:00:00 and 00:00:01, was 00:00:05",
                "OpenTfa:MaxRequestBodyBytes must be between 1024 and 16777216, was 100",
                "OpenTfa:Protection:MaxTestNumberLifetime must be a positive duration of at most 366 days such as 00:00:30, was 400.00:00:00",
                "OpenTfa:Storage:CommandTimeout must be between 00:00:01 and 00:10:00, was 00:20:00",
                "OpenTfa:Storage:Provider must be sqlite or postgres, was 'oracle'",
                "OpenTfa:Storage:SqliteSynchronous must be NORMAL or FULL, was 'OFF'",
                "OpenTfa:Telemetry:TraceSampleRatio must be between 0 and 1, was 1.5",
                "OpenTfa:Webhooks:MaxAttempts must be between 1 and 100, was 0",
            ],
            problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SettingsThatDependOnEachOther_AreCheckedTogether()
    {
        string[] problems = Problems(new()
        {
            ["OpenTfa:Storage:Provider"] = "postgres",
            ["OpenTfa:Delivery:SendTimeout"] = "00:00:30",
            ["OpenTfa:Delivery:Lease"] = "00:00:40",
            ["OpenTfa:Delivery:BatchSize"] = "32",
            ["OpenTfa:Retention:PinAfterExpiry"] = "2.00:00:00",
            ["OpenTfa:Retention:History"] = "1.00:00:00",
        });

        Assert.Contains("OpenTfa:Storage:ConnectionString (or ConnectionStringFile) is required with the postgres provider", problems);
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Encryption:KeyFile (or Key) is required with the postgres provider", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Delivery:Lease (00:00:40) must be longer than SendTimeout × ⌈BatchSize ÷ Parallelism⌉ (00:01:00)", StringComparison.Ordinal));
        Assert.Contains("OpenTfa:Retention:History (1.00:00:00) must be at least PinAfterExpiry (2.00:00:00)", problems);
    }

    [Fact]
    public void ChannelSettings_AreValidated_WithTheServersSendTimeout_AndNoSecretIsShown()
    {
        string[] problems = Problems(new()
        {
            ["OpenTfa:Delivery:SendTimeout"] = "00:00:15",
            ["OpenTfa:Channels:mail:Type"] = "smtp",
            ["OpenTfa:Channels:mail:Port"] = "70000",
            ["OpenTfa:Channels:mail:Timeout"] = "00:00:20",
            ["OpenTfa:Channels:gw:Type"] = "webhook",
            ["OpenTfa:Channels:gw:Url"] = "https://sms.example.com/send",
            ["OpenTfa:Channels:gw:Secret"] = "hunter2",
            ["OpenTfa:Channels:gw:Headers:X-Api-Key"] = "hunter2-header",
        });

        Assert.Contains("OpenTfa:Channels:mail:Host is required", problems);
        Assert.Contains("OpenTfa:Channels:mail:Port must be between 1 and 65535, was 70000", problems);
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:mail:Timeout (00:00:20) must be shorter than OpenTfa:Delivery:SendTimeout (00:00:15)", StringComparison.Ordinal));
        Assert.Contains("OpenTfa:Channels:gw:Secret (or SecretFile) of at least 16 characters is required: it signs every request", problems);
        Assert.DoesNotContain(problems, p => p.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FreeKeys_ListPositions_AndKeysOutsideOpenTfa_AreAccepted()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "smtp-password-from-file\n");
        try
        {
            await using WebApplication app = Hosts.Build(new()
            {
                ["OpenTfa:Channels:mail:Type"] = "smtp",
                ["OpenTfa:Channels:mail:Host"] = "smtp.example.com",
                ["OpenTfa:Channels:mail:Username"] = "otp",
                ["OpenTfa:Channels:mail:PasswordFile"] = file,
                ["OpenTfa:Channels:gw:Type"] = "webhook",
                ["OpenTfa:Channels:gw:Url"] = "https://sms.example.com/send",
                ["OpenTfa:Channels:gw:Secret"] = "0123456789abcdef0123",
                ["OpenTfa:Channels:gw:Headers:X-Api-Key"] = "gateway-key",
                ["OpenTfa:Routes:Sms:0"] = "gw",
                ["OpenTfa:Routes:Applications:0123456789ABCDEF0123456789ABCDEF:Email:0"] = "mail",
                ["OpenTfa:TrustedProxies:0"] = "10.0.0.0/8",
                ["OpenTfa:Webhooks:AllowedPorts:0"] = "8443",
                ["Kestrel:Limits:MaxConcurrentConnections"] = "100",
                ["Logging:LogLevel:OpenTfa"] = "Debug",
            });

            SmtpChannelOptions mail = app.Services.GetRequiredService<IOptionsMonitor<SmtpChannelOptions>>().Get("mail");
            Assert.Equal(("smtp.example.com", 587, "smtp-password-from-file"), (mail.Host, mail.Port, mail.Password));
            Assert.Equal([8443], app.Services.GetRequiredService<Core.Webhooks.WebhookOptions>().AllowedPorts);
            Assert.Equal(["gw"], app.Services.GetRequiredService<ChannelRouter>().Route(ChannelKind.Sms, "any").Select(c => c.Name));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task MisspelledSetting_InTheEnvironment_StopsTheRealServer_NamingTheSetting()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-settings", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            ProgramResult run = await ServerProcess.RunToExitAsync(workingDirectory, new Dictionary<string, string>
            {
                ["OpenTfa__Storage__Provder"] = "postgres",
                ["OpenTfa__Delivery__Paralelism"] = "4",
            });
            string output = run.Output;

            Assert.Equal(ServerExitCodes.Configuration, run.ExitCode);
            Assert.Contains(Heading, output, StringComparison.Ordinal);
            Assert.Contains("OpenTfa:Storage:Provder is not an OpenTfa setting; did you mean OpenTfa:Storage:Provider?", output, StringComparison.Ordinal);
            Assert.Contains("OpenTfa:Delivery:Paralelism is not an OpenTfa setting; did you mean OpenTfa:Delivery:Parallelism?", output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(workingDirectory, "data", "opentfa.db")));
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}
