using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Sms;
using OpenTfa.Delivery.Http.Voice;

namespace OpenTfa.Delivery.Http;

/// <summary>
/// Builds one HTTP gateway type's channels from <c>OpenTfa:Channels:&lt;name&gt;</c>, each bound
/// as named <typeparamref name="TOptions"/> and checked by <typeparamref name="TValidator"/>; a bad
/// setting stops the start-up with its name.
/// </summary>
public abstract class HttpChannelFactory<TOptions, TValidator> : IChannelFactory
    where TOptions : HttpChannelOptions
    where TValidator : class, IValidateOptions<TOptions>
{
    public abstract string Type { get; }

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
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        return Create(name, options, services.GetService<TimeProvider>() ?? TimeProvider.System, loggers);
    }

    protected abstract IMessageChannel Create(string name, TOptions options, TimeProvider time, ILoggerFactory loggers);
}

public sealed class KannelChannelFactory : HttpChannelFactory<KannelChannelOptions, KannelChannelOptionsValidator>
{
    public override string Type => KannelSmsChannel.Type;

    protected override IMessageChannel Create(string name, KannelChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new KannelSmsChannel(name, options, loggers.CreateLogger<KannelSmsChannel>());
}

public sealed class TwilioSmsChannelFactory : HttpChannelFactory<TwilioSmsChannelOptions, TwilioSmsChannelOptionsValidator>
{
    public override string Type => TwilioSmsChannel.Type;

    protected override IMessageChannel Create(string name, TwilioSmsChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new TwilioSmsChannel(name, options, loggers.CreateLogger<TwilioSmsChannel>());
}

public sealed class WebhookChannelFactory : HttpChannelFactory<WebhookChannelOptions, WebhookChannelOptionsValidator>
{
    public override string Type => WebhookSmsChannel.Type;

    protected override IMessageChannel Create(string name, WebhookChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new WebhookSmsChannel(name, options, time, loggers.CreateLogger<WebhookSmsChannel>());
}

public sealed class TwilioVoiceChannelFactory : HttpChannelFactory<TwilioVoiceChannelOptions, TwilioVoiceChannelOptionsValidator>
{
    public override string Type => TwilioVoiceChannel.Type;

    protected override IMessageChannel Create(string name, TwilioVoiceChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new TwilioVoiceChannel(name, options, time, loggers.CreateLogger<TwilioVoiceChannel>());
}

public sealed class VonageVoiceChannelFactory : HttpChannelFactory<VonageVoiceChannelOptions, VonageVoiceChannelOptionsValidator>
{
    public override string Type => VonageVoiceChannel.Type;

    protected override IMessageChannel Create(string name, VonageVoiceChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new VonageVoiceChannel(name, options, time, loggers.CreateLogger<VonageVoiceChannel>());
}
