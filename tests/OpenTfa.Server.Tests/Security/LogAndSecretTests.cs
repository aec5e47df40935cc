using System.Net;
using System.Net.Http.Headers;
using OpenTfa.Server.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>What the server prints: no forged log lines, no terminal escapes, no secrets.</summary>
public sealed class LogAndSecretTests
{
    [Fact]
    public async Task RequestPathWithNewlineAndEscape_IsLoggedOnOneLine_Escaped()
    {
        string workingDirectory = Path.Combine(Path.GetTempPath(), "opentfa-log-forging", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(workingDirectory);
        try
        {
            await using ServerProcess server = await ServerProcess.StartAsync(workingDirectory, new Dictionary<string, string> { ["OpenTfa__BootstrapApiKey"] = TestServer.BootstrapKey });
            using var client = TestServer.ClientFor(server.BaseAddress, key: null);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("App", "a-wrong-key");
            HttpResponseMessage response = await client.GetAsync(new Uri("/2fa/2/x%0Dinfo: OpenTfa[1]%0Aforged-line%1B%5B31mred%E2%80%A8sep", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

            string output = await Poll.UntilAsync(
                () => Task.FromResult(server.Output),
                o => o.Contains("forged-line", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10),
                o => $"the forged line is not in the output:\n{o}");
            string[] lines = output.Split('\n');
            Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("forged-line", StringComparison.Ordinal));
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain('\r', output);
            Assert.DoesNotContain('\u2028', output);
            Assert.Contains(@"/2fa/2/x\rinfo: OpenTfa[1]\nforged-line\x1B[31mred\u2028sep", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    [Fact]
    public void ChannelSettingsWithCredentials_AreRefused_WithoutEchoingTheSecret()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(new Dictionary<string, string?>
        {
            ["OpenTfa:Channels:gw:Type"] = "kannel",
            ["OpenTfa:Channels:gw:BaseUrl"] = "http://admin:hunter2-in-userinfo@127.0.0.1:13013/cgi-bin/sendsms",
            ["OpenTfa:Channels:gw:Username"] = "tester",
            ["OpenTfa:Channels:gw:Password"] = "hunter2-password",
            ["OpenTfa:Channels:gw:CallbackBaseUrl"] = "https://otp.example.com/?token=hunter2-in-query",
            ["OpenTfa:Channels:gw:CallbackSecret"] = "0123456789abcdef0123",
        }).Services.GetRequiredService<Core.Delivery.ChannelRouter>());

        string message = ex.ToString();
        Assert.Contains("OpenTfa:Channels:gw:BaseUrl", message, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:gw:CallbackBaseUrl", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretNamedSettingWithABadValue_IsNamedButNotShown()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Hosts.Build(new Dictionary<string, string?>
        {
            ["OpenTfa:Telemetry:OtlpEndpoint"] = "not a url with password=hunter2-query and http://user:hunter2-userinfo@host",
        }));

        Assert.Contains("OpenTfa:Telemetry:OtlpEndpoint must be an absolute URL", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

}
