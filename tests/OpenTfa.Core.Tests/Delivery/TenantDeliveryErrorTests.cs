using OpenTfa.Core.Delivery;

namespace OpenTfa.Core.Tests.Delivery;

public sealed class TenantDeliveryErrorTests
{
    [Theory]
    [InlineData("could not reach http://127.0.0.1:9: Connection refused (127.0.0.1:9)", "could not reach the gateway: Connection refused ([host])")]
    [InlineData("gw: no answer from https://sms.internal.example.net:13013 within 10 s", "gw: no answer from the gateway within 10 s")]
    [InlineData("could not reach http://kannel:13013: Name or service not known (kannel:13013)", "could not reach the gateway: Name or service not known ([host])")]
    [InlineData("SocketException: Connection refused [fd00::5]:2775", "SocketException: Connection refused [host]")]
    [InlineData("SocketException: No route to host fd00::5 port 2775", "SocketException: No route to host [host] port 2775")]
    [InlineData("connected to smsc.corp.example.com, then ESME_RTHROTTLED (0x00000058)", "connected to [host], then ESME_RTHROTTLED (0x00000058)")]
    [InlineData("localhost:2775 refused the bind", "[host] refused the bind")]
    [InlineData("refused by 10.0.0.7. Then by fd00::5.", "refused by [host]. Then by [host].")]
    [InlineData("not delivered before the PIN expired; last error: a: could not reach http://10.0.0.7/send?user=x: timeout; b: skipped, its circuit is open after repeated failures",
        "not delivered before the PIN expired; last error: a: could not reach the gateway: timeout; b: skipped, its circuit is open after repeated failures")]
    public void From_RemovesUrlsHostNamesAndAddresses(string stored, string tenant) =>
        Assert.Equal(tenant, TenantDeliveryError.From(stored));

    [Theory]
    [InlineData("Kannel answered 503: Queued for later delivery")]
    [InlineData("the gateway answered 400: invalid number")]
    [InlineData("submit_sm refused: ESME_RINVDSTADR (0x0000000B)")]
    [InlineData("550 5.1.1 <jane@example.com>: Recipient address rejected")]
    [InlineData("no answer from the channel within 12.5 s at 10:30:00")]
    public void From_KeepsTextWithoutInfrastructure(string stored) =>
        Assert.Equal(stored, TenantDeliveryError.From(stored));

    [Fact]
    public void From_Null_IsNull() => Assert.Null(TenantDeliveryError.From(null));
}
