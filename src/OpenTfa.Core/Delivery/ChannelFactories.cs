using Microsoft.Extensions.Configuration;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// Builds the channels of one <c>Type</c> from their configuration section
/// (<c>OpenTfa:Channels:&lt;name&gt;</c>). Delivery projects register one per type they offer.
/// A channel that holds connections also implements <c>IHostedService</c>; the host starts
/// it before the dispatcher and stops it after.
/// </summary>
public interface IChannelFactory
{
    string Type { get; }

    IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services);
}

public sealed class LogChannelFactory : IChannelFactory
{
    public string Type => LogChannel.Type;

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) =>
        new LogChannel(name, (services.GetService(typeof(LogChannelOutput)) as LogChannelOutput)?.Writer ?? Console.Out);
}

public sealed class DiscardChannelFactory : IChannelFactory
{
    public string Type => DiscardChannel.Type;

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) => new DiscardChannel(name);
}
