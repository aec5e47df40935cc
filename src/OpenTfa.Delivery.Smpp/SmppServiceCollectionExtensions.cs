using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Channels;

// In the DI namespace, as usual for Add* methods, so that hosts need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class SmppServiceCollectionExtensions
{
    /// <summary>Offers the <c>smpp</c> channel type to <c>OpenTfa:Channels</c>.</summary>
    public static IServiceCollection AddOpenTfaSmpp(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new SmppChannelFactory()));
        return services;
    }
}
