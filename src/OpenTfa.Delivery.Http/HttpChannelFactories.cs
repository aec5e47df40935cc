using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http.Sms;
using OpenTfa.Delivery.Http.Voice;

namespace OpenTfa.Delivery.Http;

/// <summary>Builds one HTTP gateway type's channels from <c>OpenTfa:Channels:&lt;name&gt;</c>; a bad setting stops the start-up with its name.</summary>
public abstract class HttpChannelFactory<TOptions> : IChannelFactory
{
    public abstract string Type { get; }

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        TimeSpan sendTimeout = (services.GetService(typeof(IOptions<DeliveryOptions>)) as IOptions<DeliveryOptions>)?.Value.SendTimeout ?? new DeliveryOptions().SendTimeout;
        TOptions options = Bind(settings, sendTimeout, out IReadOnlyList<string> problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid settings for the {Type} channel '{name}':" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

        var loggers = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory ?? NullLoggerFactory.Instance;
        var time = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        return Create(name, options, time, loggers);
    }

    protected abstract TOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems);

    protected abstract IMessageChannel Create(string name, TOptions options, TimeProvider time, ILoggerFactory loggers);
}

public sealed class KannelChannelFactory : HttpChannelFactory<KannelChannelOptions>
{
    public override string Type => KannelSmsChannel.Type;

    protected override KannelChannelOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems) =>
        KannelChannelOptions.Bind(settings, sendTimeout, out problems);

    protected override IMessageChannel Create(string name, KannelChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new KannelSmsChannel(name, options, loggers.CreateLogger<KannelSmsChannel>());
}

public sealed class TwilioSmsChannelFactory : HttpChannelFactory<TwilioSmsChannelOptions>
{
    public override string Type => TwilioSmsChannel.Type;

    protected override TwilioSmsChannelOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems) =>
        TwilioSmsChannelOptions.Bind(settings, sendTimeout, out problems);

    protected override IMessageChannel Create(string name, TwilioSmsChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new TwilioSmsChannel(name, options, loggers.CreateLogger<TwilioSmsChannel>());
}

public sealed class WebhookChannelFactory : HttpChannelFactory<WebhookChannelOptions>
{
    public override string Type => WebhookSmsChannel.Type;

    protected override WebhookChannelOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems) =>
        WebhookChannelOptions.Bind(settings, sendTimeout, out problems);

    protected override IMessageChannel Create(string name, WebhookChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new WebhookSmsChannel(name, options, time, loggers.CreateLogger<WebhookSmsChannel>());
}

public sealed class TwilioVoiceChannelFactory : HttpChannelFactory<TwilioVoiceChannelOptions>
{
    public override string Type => TwilioVoiceChannel.Type;

    protected override TwilioVoiceChannelOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems) =>
        TwilioVoiceChannelOptions.Bind(settings, sendTimeout, out problems);

    protected override IMessageChannel Create(string name, TwilioVoiceChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new TwilioVoiceChannel(name, options, time, loggers.CreateLogger<TwilioVoiceChannel>());
}

public sealed class VonageVoiceChannelFactory : HttpChannelFactory<VonageVoiceChannelOptions>
{
    public override string Type => VonageVoiceChannel.Type;

    protected override VonageVoiceChannelOptions Bind(IConfigurationSection settings, TimeSpan sendTimeout, out IReadOnlyList<string> problems) =>
        VonageVoiceChannelOptions.Bind(settings, sendTimeout, out problems);

    protected override IMessageChannel Create(string name, VonageVoiceChannelOptions options, TimeProvider time, ILoggerFactory loggers) =>
        new VonageVoiceChannel(name, options, time, loggers.CreateLogger<VonageVoiceChannel>());
}
