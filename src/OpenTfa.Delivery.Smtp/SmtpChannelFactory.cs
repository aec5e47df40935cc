using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smtp;

/// <summary>Builds the <c>smtp</c> channels from <c>OpenTfa:Channels:&lt;name&gt;</c>; a bad setting stops the start-up with its name.</summary>
public sealed class SmtpChannelFactory : IChannelFactory
{
    public string Type => SmtpEmailChannel.Type;

    public IReadOnlyList<Type> SettingTypes => [typeof(SmtpChannelOptions)];

    public void AddSettings(IServiceCollection services, string name, IConfigurationSection settings)
    {
        services.AddChannelOptions<SmtpChannelOptions>(name, settings)
            .PostConfigure(o => o.Port = o.Port == 0 ? SmtpChannelOptions.DefaultPort(o.Security) : o.Port);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpChannelOptions>, SmtpChannelOptionsValidator>());
    }

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        SmtpChannelOptions options = ChannelSettings.Get<SmtpChannelOptions>(services, "SMTP", name);
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return new SmtpEmailChannel(name, options, services.GetService<TimeProvider>() ?? TimeProvider.System, loggers.CreateLogger<SmtpEmailChannel>());
    }
}
