using System.Net;
using System.Net.Sockets;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Tests.Security;

public sealed class OutboundConnectorTests
{
    [Fact]
    public async Task Connect_NameResolvingToLoopback_IsRefusedBeforeAnyConnection()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connector = new OutboundConnector((_, _) => Task.FromResult(new[] { IPAddress.Loopback }));

        HttpRequestException refused = await Assert.ThrowsAsync<HttpRequestException>(() =>
            connector.ConnectAsync("hooks.example.com", port, SpecialPurposeAddresses.IsGloballyReachable, "private networks are off", CancellationToken.None).AsTask());

        Assert.Contains("Loopback", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", refused.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task Connect_AllowedAddress_ConnectsToIt_TryingTheNextWhenOneIsDown()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        IPAddress down = IPAddress.Parse("127.0.0.2");
        var connector = new OutboundConnector((_, _) => Task.FromResult(new[] { IPAddress.IPv6Loopback, down, IPAddress.Loopback }));

        await using Stream stream = await connector.ConnectAsync("gateway", port, a => !a.Equals(IPAddress.IPv6Loopback), "refused", CancellationToken.None);
        using TcpClient accepted = await listener.AcceptTcpClientAsync();

        Assert.True(stream.CanWrite);
        Assert.True(accepted.Connected);
    }
}
