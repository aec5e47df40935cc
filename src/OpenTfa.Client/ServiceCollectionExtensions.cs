using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OpenTfa.Client;

public static class OpenTfaClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="OpenTfaClient"/> as a typed client over <c>IHttpClientFactory</c>.
    /// Inject <see cref="OpenTfaClient"/> where it is needed; the returned builder adds handlers,
    /// resilience or a primary handler like any other typed client.
    /// </summary>
    public static IHttpClientBuilder AddOpenTfaClient(this IServiceCollection services, Action<OpenTfaClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OpenTfaClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is { IsAbsoluteUri: true }, "OpenTfaClientOptions.BaseAddress must be set to the server's absolute address, e.g. http://127.0.0.1:5080");
        return services.AddHttpClient<OpenTfaClient>((provider, http) =>
            provider.GetRequiredService<IOptions<OpenTfaClientOptions>>().Value.ApplyTo(http));
    }
}
