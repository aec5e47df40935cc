using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Http;

// In the DI namespace, as usual for Add* methods, so that hosts need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class HttpServiceCollectionExtensions
{
    /// <summary>Offers the HTTP gateway channel types: <c>kannel</c>, <c>twilio-sms</c>, <c>webhook</c>, <c>twilio-voice</c>, <c>vonage-voice</c>.</summary>
    public static IServiceCollection AddOpenTfaHttpGateways(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, KannelChannelFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, TwilioSmsChannelFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, WebhookChannelFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, TwilioVoiceChannelFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, VonageVoiceChannelFactory>());
        return services;
    }
}
