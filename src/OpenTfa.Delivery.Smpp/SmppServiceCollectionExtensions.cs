using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Channels;

namespace OpenTfa.Delivery.Smpp;

public static class SmppServiceCollectionExtensions
{
    /// <summary>Offers the <c>smpp</c> channel type to <c>OpenTfa:Channels</c>.</summary>
    public static IServiceCollection AddOpenTfaSmpp(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory, SmppChannelFactory>());
        return services;
    }
}
