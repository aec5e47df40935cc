using Microsoft.Extensions.Options;

namespace OpenTfa.Core.Delivery;

/// <summary>Picks the channels for a message: the application's route if it has one, else the default route.</summary>
public sealed class ChannelRouter
{
    private readonly Dictionary<string, IMessageChannel> _channels;
    private readonly RoutingOptions _routes;

    public ChannelRouter(IEnumerable<IMessageChannel> channels, IOptions<RoutingOptions> routes)
    {
        _channels = channels.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        _routes = routes.Value;
    }

    public IReadOnlyCollection<IMessageChannel> Channels => _channels.Values;

    /// <summary>
    /// The channels for a message, in order; empty when neither the application nor the default
    /// route names one (no channel of this server can carry the kind).
    /// </summary>
    public IReadOnlyList<IMessageChannel> Route(ChannelKind kind, string applicationId)
    {
        IList<string> names = _routes.Applications.TryGetValue(applicationId, out RoutingOptions? own) && own.For(kind).Count > 0
            ? own.For(kind)
            : _routes.For(kind);
        return names.Select(n => _channels[n]).ToArray();
    }

    /// <summary>Whether a message of <paramref name="kind"/> for the application has at least one channel.</summary>
    public bool CanCarry(ChannelKind kind, string applicationId) =>
        (_routes.Applications.TryGetValue(applicationId, out RoutingOptions? own) && own.For(kind).Count > 0) || _routes.For(kind).Count > 0;

    /// <summary>
    /// The kinds every send endpoint offers (SMS, voice, e-mail) that the default route gives no
    /// channel: their sends are refused unless an application has its own route. WhatsApp and
    /// Telegram are opt-in, so a server without them is complete; a workflow or a Twilio start
    /// that asks for one without a channel is refused by name.
    /// </summary>
    public IReadOnlyList<ChannelKind> KindsWithoutChannel() =>
        ChannelKinds.Expected.Where(k => _routes.For(k).Count == 0).ToList();

    /// <summary>
    /// Every route (by its setting, <c>OpenTfa:Routes:Voice</c>) that names a log channel, when the
    /// server also has channels that deliver: the operator chose to print these messages.
    /// </summary>
    public IReadOnlyList<(string Route, string Channel)> LogRoutesBesideRealChannels()
    {
        if (_channels.Values.All(c => c is LogChannel))
        {
            return [];
        }

        IEnumerable<(string Where, RoutingOptions Routes)> all =
            _routes.Applications.Select(a => ($"OpenTfa:Routes:Applications:{a.Key}", a.Value)).Prepend(("OpenTfa:Routes", _routes));
        return all
            .SelectMany(r => Enum.GetValues<ChannelKind>().SelectMany(k => r.Routes.For(k)
                .Where(n => _channels.TryGetValue(n, out IMessageChannel? c) && c is LogChannel)
                .Select(n => ($"{r.Where}:{k}", n))))
            .ToList();
    }

    /// <summary>Route problems worth refusing to start over: unknown names, or a channel that cannot carry the kind.</summary>
    public IEnumerable<string> Problems()
    {
        IEnumerable<(string Where, RoutingOptions Routes)> all =
            _routes.Applications.Select(a => ($"OpenTfa:Routes:Applications:{a.Key}", a.Value)).Prepend(("OpenTfa:Routes", _routes));
        foreach ((string where, RoutingOptions routes) in all)
        {
            foreach (ChannelKind kind in Enum.GetValues<ChannelKind>())
            {
                foreach (string name in routes.For(kind))
                {
                    if (!_channels.TryGetValue(name, out IMessageChannel? channel))
                    {
                        yield return $"{where}:{kind} names the channel '{name}', which is not configured under OpenTfa:Channels";
                    }
                    else if (!channel.Supports(kind))
                    {
                        yield return $"{where}:{kind} names the channel '{name}', which cannot carry {kind} messages";
                    }
                }
            }
        }
    }
}
