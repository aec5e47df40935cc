using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Core.Tests.Delivery;

public sealed class ChannelRouterTests
{
    private sealed class FakeChannel(string name, params ChannelKind[] kinds) : IMessageChannel
    {
        public string Name => name;

        public bool Supports(ChannelKind kind) => kinds.Contains(kind);

        public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken) =>
            Task.FromResult(DeliveryResult.Accepted());
    }

    private static readonly FakeChannel SmppA = new("smpp-a", ChannelKind.Sms);
    private static readonly FakeChannel SmppB = new("smpp-b", ChannelKind.Sms);
    private static readonly FakeChannel Smtp = new("smtp", ChannelKind.Email);
    private static readonly FakeChannel Voice = new("voice", ChannelKind.Voice);

    private static ChannelRouter Router(RoutingOptions routes, params IMessageChannel[] channels) => new(channels, Options.Create(routes));

    private static RoutingOptions DefaultRoutes()
    {
        var routes = new RoutingOptions();
        routes.Sms.Add("smpp-a");
        routes.Sms.Add("smpp-b");
        routes.Voice.Add("voice");
        routes.Email.Add("smtp");
        return routes;
    }

    [Theory]
    [InlineData(ChannelKind.Sms, new[] { "smpp-a", "smpp-b" })]
    [InlineData(ChannelKind.Voice, new[] { "voice" })]
    [InlineData(ChannelKind.Email, new[] { "smtp" })]
    public void Route_NoOverride_UsesTheDefaultRouteForTheKindInOrder(ChannelKind kind, string[] expected)
    {
        ChannelRouter router = Router(DefaultRoutes(), SmppA, SmppB, Smtp, Voice);

        Assert.Equal(expected, router.Route(kind, "APP1").Select(c => c.Name));
    }

    [Fact]
    public void Route_ApplicationOverride_ReplacesTheDefaultForThatKindOnly()
    {
        RoutingOptions routes = DefaultRoutes();
        var own = new RoutingOptions();
        own.Sms.Add("smpp-b");
        routes.Applications["APP1"] = own;
        ChannelRouter router = Router(routes, SmppA, SmppB, Smtp, Voice);

        Assert.Equal(["smpp-b"], router.Route(ChannelKind.Sms, "APP1").Select(c => c.Name));
        Assert.Equal(["smtp"], router.Route(ChannelKind.Email, "APP1").Select(c => c.Name));
        Assert.Equal(["smpp-a", "smpp-b"], router.Route(ChannelKind.Sms, "APP2").Select(c => c.Name));
    }

    [Fact]
    public void Route_ApplicationIdAndChannelNames_IgnoreCase()
    {
        RoutingOptions routes = DefaultRoutes();
        var own = new RoutingOptions();
        own.Sms.Add("SMPP-B");
        routes.Applications["app1"] = own;
        ChannelRouter router = Router(routes, SmppA, SmppB, Smtp, Voice);

        Assert.Same(SmppB, Assert.Single(router.Route(ChannelKind.Sms, "APP1")));
    }

    [Fact]
    public void Route_NothingConfiguredForKind_IsEmpty()
    {
        ChannelRouter router = Router(new RoutingOptions(), SmppA);

        Assert.Empty(router.Route(ChannelKind.Voice, "APP1"));
    }

    [Fact]
    public void Problems_EveryRouteKnownAndCapable_IsEmpty()
    {
        RoutingOptions routes = DefaultRoutes();
        var own = new RoutingOptions();
        own.Sms.Add("smpp-b");
        routes.Applications["APP1"] = own;

        Assert.Empty(Router(routes, SmppA, SmppB, Smtp, Voice).Problems());
    }

    [Fact]
    public void Problems_UnknownChannelName_IsReportedWithWhereItIsNamed()
    {
        RoutingOptions routes = DefaultRoutes();
        routes.Sms.Add("kannel");
        var own = new RoutingOptions();
        own.Email.Add("ses");
        routes.Applications["APP1"] = own;

        string[] problems = Router(routes, SmppA, SmppB, Smtp, Voice).Problems().ToArray();

        Assert.Equal(
            [
                "OpenTfa:Routes:Sms names the channel 'kannel', which is not configured under OpenTfa:Channels",
                "OpenTfa:Routes:Applications:APP1:Email names the channel 'ses', which is not configured under OpenTfa:Channels",
            ],
            problems);
    }

    [Fact]
    public void Problems_ChannelThatCannotCarryTheKind_IsReported()
    {
        var routes = new RoutingOptions();
        routes.Email.Add("smpp-a");

        string problem = Assert.Single(Router(routes, SmppA).Problems());

        Assert.Equal("OpenTfa:Routes:Email names the channel 'smpp-a', which cannot carry Email messages", problem);
    }

    [Fact]
    public void Channels_ListsEveryConfiguredChannel()
    {
        ChannelRouter router = Router(new RoutingOptions(), SmppA, Smtp);

        Assert.Equal(["smpp-a", "smtp"], router.Channels.Select(c => c.Name).Order(StringComparer.Ordinal));
    }
}
