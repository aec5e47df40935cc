using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smtp;

// In the DI namespace, as usual for Add* methods, so that hosts need no extra using.
namespace Microsoft.Extensions.DependencyInjection;

public static class SmtpServiceCollectionExtensions
{
    /// <summary>Offers the <c>smtp</c> channel type to <c>OpenTfa:Channels</c>.</summary>
    public static IServiceCollection AddOpenTfaSmtp(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new SmtpChannelFactory()));
        return services;
    }
}
