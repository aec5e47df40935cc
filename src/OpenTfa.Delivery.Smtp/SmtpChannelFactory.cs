using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smtp;

/// <summary>Builds the <c>smtp</c> channels from <c>OpenTfa:Channels:&lt;name&gt;</c>; a bad setting stops the start-up with its name.</summary>
public sealed class SmtpChannelFactory : IChannelFactory
{
    public string Type => SmtpEmailChannel.Type;

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        TimeSpan sendTimeout = (services.GetService(typeof(IOptions<DeliveryOptions>)) as IOptions<DeliveryOptions>)?.Value.SendTimeout ?? new DeliveryOptions().SendTimeout;
        SmtpChannelOptions options = SmtpChannelOptions.Bind(settings, sendTimeout, out IReadOnlyList<string> problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid settings for the SMTP channel '{name}':" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        var loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory ?? NullLoggerFactory.Instance;
        return new SmtpEmailChannel(name, options, services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System, loggers.CreateLogger<SmtpEmailChannel>());
    }
}
