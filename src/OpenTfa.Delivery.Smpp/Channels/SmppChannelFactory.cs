using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>Builds the <c>smpp</c> channels from <c>OpenTfa:Channels:&lt;name&gt;</c>; a bad setting stops the start-up with its name.</summary>
public sealed class SmppChannelFactory : IChannelFactory
{
    public string Type => SmppSmsChannel.Type;

    public IReadOnlyList<Type> SettingTypes => [typeof(SmppConnectionOptions), typeof(SmppChannelOptions)];

    public void AddSettings(IServiceCollection services, string name, IConfigurationSection settings)
    {
        services.AddChannelOptions<SmppConnectionOptions>(name, settings);
        services.AddChannelOptions<SmppChannelOptions>(name, settings);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmppConnectionOptions>, SmppConnectionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmppChannelOptions>, SmppChannelOptionsValidator>());
    }

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var connection = ChannelSettings.Get<SmppConnectionOptions>(services, "SMPP", name);
        var channel = ChannelSettings.Get<SmppChannelOptions>(services, "SMPP", name);
        return new SmppSmsChannel(
            name,
            new SmppChannelOptions { Connection = connection, DefaultSender = channel.DefaultSender, LinkWaitTimeout = channel.LinkWaitTimeout },
            services.GetRequiredService<DeliveryReports>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
    }
}
