using System.Net;
using System.Net.Sockets;
using OpenTfa.Core.Security;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Core.Tests.Webhooks;

public sealed class WebhookUrlPolicyTests
{
    private static readonly WebhookUrlPolicy Strict = new(new WebhookOptions());

    public static TheoryData<string> RefusedBlockUrls()
    {
        var data = new TheoryData<string>();
        foreach (SpecialPurposeBlock block in SpecialPurposeAddresses.Blocks.Where(b => b.Rule == SpecialPurposeRule.Refused))
        {
            string host = block.Network.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{block.Network}]" : block.Network.ToString();
            data.Add($"https://{host}/hook?block={block.Cidr}");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedBlockUrls))]
    [InlineData("https://[::127.0.0.1]/hook")]
    [InlineData("https://[::ffff:10.0.0.1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[2002:7f00:1::]/hook")]
    [InlineData("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook")]
    [InlineData("https://[64:ff9b::a00:1]/hook")]
    [InlineData("https://192.88.99.1/hook")]
    [InlineData("https://[fe80::1%25eth0]/hook")]
    [InlineData("https://0x7f.1/hook")]
    [InlineData("https://2130706433/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://metadata.google.internal/hook")]
    public void Save_UrlThatIsOrEmbedsANonPublicAddress_IsRefused(string url)
    {
        string? problem = Strict.Problem(url);

        Assert.NotNull(problem);
        Assert.StartsWith("must", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/hook")]
    [InlineData("https://hooks.example.com:443/hook")]
    [InlineData("https://8.8.8.8/hook")]
    [InlineData("https://[2606:4700:4700::1111]/hook")]
    [InlineData("https://[64:ff9b::808:808]/hook")]
    public void Save_PublicUrlOnAnAllowedPort_IsAccepted(string url) => Assert.Null(Strict.Problem(url));

    [Theory]
    [InlineData("https://hooks.example.com:8443/hook")]
    [InlineData("https://hooks.example.com:22/hook")]
    [InlineData("https://8.8.8.8:6379/hook")]
    public void Save_PortOutsideTheAllowList_IsRefused_NamingTheSetting(string url)
    {
        string? problem = Strict.Problem(url);

        Assert.NotNull(problem);
        Assert.Contains("OpenTfa:Webhooks:AllowedPorts", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_PortTheOperatorListed_IsAccepted_AndPlainHttpKeepsPort80()
    {
        var policy = new WebhookUrlPolicy(new WebhookOptions { AllowedPorts = [8443], AllowHttp = true });

        Assert.Null(policy.Problem("https://hooks.example.com:8443/hook"));
        Assert.Null(policy.Problem("https://hooks.example.com/hook"));
        Assert.Null(policy.Problem("http://hooks.example.com/hook"));
        Assert.NotNull(policy.Problem("https://hooks.example.com:9000/hook"));
    }

    [Fact]
    public void Save_WithPrivateNetworksAllowed_LoopbackOnAnyPortIsAccepted()
    {
        var policy = new WebhookUrlPolicy(new WebhookOptions { AllowPrivateNetworks = true, AllowHttp = true });

        Assert.Null(policy.Problem("http://127.0.0.1:50123/hook"));
        Assert.Null(policy.Problem("https://[::127.0.0.1]:8080/hook"));
    }

    [Fact]
    public async Task Connect_PublicNameThatResolvesToLoopback_IsRefused_AndNothingIsReceived()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var policy = new WebhookUrlPolicy(
            new WebhookOptions { AllowedPorts = [port] },
            new OutboundConnector((_, _) => Task.FromResult(new[] { IPAddress.Loopback })));
        Assert.Null(policy.Problem($"https://hooks.example.com:{port}/hook"));
        using var client = new HttpClient(policy.CreateHandler(TimeSpan.FromSeconds(5)));

        HttpRequestException refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync($"https://hooks.example.com:{port}/hook", new StringContent("{}")));

        Assert.Contains("AllowPrivateNetworks", refused.ToString(), StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Connect_PortOutsideTheAllowList_IsRefusedBeforeTheNameIsResolved()
    {
        int resolved = 0;
        var policy = new WebhookUrlPolicy(
            new WebhookOptions(),
            new OutboundConnector((_, _) =>
            {
                Interlocked.Increment(ref resolved);
                return Task.FromResult(new[] { IPAddress.Parse("8.8.8.8") });
            }));
        using var client = new HttpClient(policy.CreateHandler(TimeSpan.FromSeconds(5)));

        HttpRequestException refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("https://hooks.example.com:8443/hook", new StringContent("{}")));

        Assert.Contains("AllowedPorts", refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, resolved);
    }

    [Fact]
    public void Options_PortOutOfRange_IsAStartUpProblem()
    {
        Assert.Empty(new WebhookOptions().Problems("OpenTfa:Webhooks"));
        Assert.Contains(new WebhookOptions { AllowedPorts = [443, 0] }.Problems("OpenTfa:Webhooks"), p => p.Contains("AllowedPorts", StringComparison.Ordinal));
        Assert.Contains(new WebhookOptions { AllowedPorts = [70000] }.Problems("OpenTfa:Webhooks"), p => p.Contains("AllowedPorts", StringComparison.Ordinal));
    }
}
