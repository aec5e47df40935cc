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

    public IReadOnlyList<IMessageChannel> Route(ChannelKind kind, string applicationId)
    {
        IList<string> names = _routes.Applications.TryGetValue(applicationId, out RoutingOptions? own) && own.For(kind).Count > 0
            ? own.For(kind)
            : _routes.For(kind);
        return names.Select(n => _channels[n]).ToArray();
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
