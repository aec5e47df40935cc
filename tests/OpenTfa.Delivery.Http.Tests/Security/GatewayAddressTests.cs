using System.Net;
using System.Net.Sockets;
using System.Text;
using OpenTfa.Core.Security;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Http.Tests.Security;

/// <summary>
/// Where a gateway channel may connect: a literal address, localhost or a non-public name is the
/// operator's choice; a public DNS name must resolve to a globally reachable address unless the
/// channel sets AllowPrivateNetworks.
/// </summary>
public sealed class GatewayAddressTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();
    private int _accepted;

    public GatewayAddressTests()
    {
        _listener.Start();
        _port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AnswerAsync();
    }

    [Fact]
    public async Task PublicNameResolvingToLoopback_IsRefused_AndTheGatewayNeverSeesAConnection()
    {
        GatewayAnswer answer = await SendAsync($"http://sms.example.com:{_port}/send", allowPrivateNetworks: false);

        Assert.Null(answer.Status);
        Assert.Contains("AllowPrivateNetworks", answer.Failure, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref _accepted));
    }

    [Fact]
    public async Task PublicNameResolvingToLoopback_IsReached_WhenTheChannelAllowsPrivateNetworks()
    {
        GatewayAnswer answer = await SendAsync($"http://sms.example.com:{_port}/send", allowPrivateNetworks: true);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("ok", answer.Body);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("kannel")]
    [InlineData("sms.internal")]
    public async Task LiteralAddressOrNonPublicName_IsTheOperatorsChoice_AndIsReached(string host)
    {
        GatewayAnswer answer = await SendAsync($"http://{host}:{_port}/send", allowPrivateNetworks: false);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.Failure);
    }

    [Fact]
    public void AllowPrivateNetworks_IsAChannelSetting()
    {
        var factory = new WebhookChannelFactory();
        (string, string?)[] settings = [("Url", "https://sms.example.com/send"), ("Secret", "0123456789abcdef0123")];

        WebhookChannelOptions options = ChannelSettingsProbe.Read<WebhookChannelOptions>(factory, ChannelSettingsProbe.Section("c", [.. settings, ("AllowPrivateNetworks", "true")]));

        Assert.True(options.AllowPrivateNetworks);
        Assert.False(ChannelSettingsProbe.Read<WebhookChannelOptions>(factory, ChannelSettingsProbe.Section("c", settings)).AllowPrivateNetworks);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private static async Task<GatewayAnswer> SendAsync(string url, bool allowPrivateNetworks)
    {
        var options = new KannelChannelOptions { BaseUrl = new Uri(url), Timeout = TimeSpan.FromSeconds(5), AllowPrivateNetworks = allowPrivateNetworks };
        var connector = new OutboundConnector((host, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        using var http = new GatewayHttp(options, connector);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await http.SendAsync(request, CancellationToken.None);
    }

    private async Task AnswerAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        NetworkStream stream = client.GetStream();
                        var buffer = new byte[4096];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            int read = await stream.ReadAsync(buffer);
                            if (read == 0)
                            {
                                return;
                            }

                            seen.Append(Encoding.ASCII.GetString(buffer, 0, read));
                        }

                        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
                    }
                });
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The test is over and the listener closed.
        }
    }
}
