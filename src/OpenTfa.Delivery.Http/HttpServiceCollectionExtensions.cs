using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http;

// In the DI namespace, as usual for Add* methods, so that hosts need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class HttpServiceCollectionExtensions
{
    /// <summary>Offers the HTTP gateway channel types: <c>kannel</c>, <c>twilio-sms</c>, <c>webhook</c>, <c>twilio-voice</c>, <c>vonage-voice</c>, <c>telegram</c>, <c>whatsapp</c>.</summary>
    public static IServiceCollection AddOpenTfaHttpGateways(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new KannelChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new TwilioSmsChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new WebhookChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new TwilioVoiceChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new VonageVoiceChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new TelegramChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new WhatsAppChannelFactory()));
        return services;
    }
}
