using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>Builds the <c>smpp</c> channels from <c>OpenTfa:Channels:&lt;name&gt;</c>; a bad setting stops the start-up with its name.</summary>
public sealed class SmppChannelFactory : IChannelFactory
{
    public string Type => SmppSmsChannel.Type;

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        var sendTimeout = services.GetService<IOptions<DeliveryOptions>>()?.Value.SendTimeout ?? new DeliveryOptions().SendTimeout;
        var options = SmppChannelOptions.Bind(settings, sendTimeout, out var problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid settings for the SMPP channel '{name}':" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        return new SmppSmsChannel(
            name,
            options,
            services.GetRequiredService<IOutboxStore>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
    }
}
