using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Sms;
using OpenTfa.Delivery.Http.Telegram;
using OpenTfa.Delivery.Http.Voice;
using OpenTfa.Delivery.Http.WhatsApp;

namespace OpenTfa.Delivery.Http;

/// <summary>
/// Builds one HTTP gateway type's channels from <c>OpenTfa:Channels:&lt;name&gt;</c>, each bound
/// as named <typeparamref name="TOptions"/> and checked by <typeparamref name="TValidator"/>; a bad
/// setting stops the start-up with its name. A gateway type names itself and its channel's constructor.
/// </summary>
public abstract class HttpChannelFactory<TChannel, TOptions, TValidator>(string type, Func<string, TOptions, TimeProvider, ILogger<TChannel>, TChannel> create) : IChannelFactory
    where TChannel : HttpGatewayChannel<TOptions>
    where TOptions : HttpChannelOptions
    where TValidator : class, IValidateOptions<TOptions>
{
    public string Type => type;

    public IReadOnlyList<Type> SettingTypes => [typeof(TOptions)];

    public void AddSettings(IServiceCollection services, string name, IConfigurationSection settings)
    {
        services.AddChannelOptions<TOptions>(name, settings);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        TOptions options = ChannelSettings.Get<TOptions>(services, Type, name);
        ILoggerFactory loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return create(name, options, services.GetService<TimeProvider>() ?? TimeProvider.System, loggers.CreateLogger<TChannel>());
    }
}

public sealed class KannelChannelFactory() : HttpChannelFactory<KannelSmsChannel, KannelChannelOptions, KannelChannelOptionsValidator>(
    KannelSmsChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class TwilioSmsChannelFactory() : HttpChannelFactory<TwilioSmsChannel, TwilioSmsChannelOptions, TwilioSmsChannelOptionsValidator>(
    TwilioSmsChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class WebhookChannelFactory() : HttpChannelFactory<WebhookSmsChannel, WebhookChannelOptions, WebhookChannelOptionsValidator>(
    WebhookSmsChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class TwilioVoiceChannelFactory() : HttpChannelFactory<TwilioVoiceChannel, TwilioVoiceChannelOptions, TwilioVoiceChannelOptionsValidator>(
    TwilioVoiceChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class VonageVoiceChannelFactory() : HttpChannelFactory<VonageVoiceChannel, VonageVoiceChannelOptions, VonageVoiceChannelOptionsValidator>(
    VonageVoiceChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class TelegramChannelFactory() : HttpChannelFactory<TelegramGatewayChannel, TelegramChannelOptions, TelegramChannelOptionsValidator>(
    TelegramGatewayChannel.Type, (name, options, time, logger) => new(name, options, time, logger));

public sealed class WhatsAppChannelFactory() : HttpChannelFactory<WhatsAppChannel, WhatsAppChannelOptions, WhatsAppChannelOptionsValidator>(
    WhatsAppChannel.Type, (name, options, time, logger) => new(name, options, time, logger));
