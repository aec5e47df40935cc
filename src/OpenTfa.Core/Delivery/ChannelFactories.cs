using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    /// <summary>
    /// The option classes a channel of this type binds from its section: start-up refuses a key
    /// that none of them has (besides <c>Type</c>, and <c>XFile</c> for a secret X). Null accepts any key.
    /// </summary>
    IReadOnlyList<Type>? SettingTypes => null;

    /// <summary>Registers the named options of the channel <paramref name="name"/>, bound from its section and validated at start-up.</summary>
    void AddSettings(IServiceCollection services, string name, IConfigurationSection settings)
    {
    }

    IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services);
}

public sealed class LogChannelFactory : IChannelFactory
{
    public string Type => LogChannel.Type;

    public IReadOnlyList<Type> SettingTypes => [];

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) =>
        new LogChannel(name, (services.GetService(typeof(LogChannelOutput)) as LogChannelOutput)?.Writer ?? Console.Out);
}

public sealed class DiscardChannelFactory : IChannelFactory
{
    public string Type => DiscardChannel.Type;

    public IReadOnlyList<Type> SettingTypes => [];

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) => new DiscardChannel(name);
}
