using Microsoft.Extensions.DependencyInjection;

namespace OpenTfa.Core.Storage;

/// <summary>
/// One storage provider: its roles as properties, each a store of its own sharing the
/// provider's connections. Services ask for the role they need (<see cref="IPinStore"/>, …),
/// never for the provider.
/// </summary>
public interface IStoreRoles
{
    ITenantStore Tenants { get; }

    IApplicationStore Applications { get; }

    IEmailBodyStore EmailBodies { get; }

    IIdempotencyStore Idempotency { get; }

    IProtectionStore Protection { get; }

    IPinStore Pins { get; }

    IOutboxStore Outbox { get; }

    IStoreMaintenance Maintenance { get; }

    IWebhookStore Webhooks { get; }

    IAuditStore Audit { get; }

    IAnalyticsStore Analytics { get; }

    ITwilioStore Twilio { get; }

    IWorkflowStore Workflows { get; }
}

public static class StoreRoleRegistration
{
    /// <summary>Registers <typeparamref name="TStore"/> once, and each role interface as that store's role property.</summary>
    public static IServiceCollection AddStoreRoles<TStore>(this IServiceCollection services, Func<IServiceProvider, TStore> create)
        where TStore : class, IStoreRoles
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(create);
        services.AddSingleton(create);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Tenants);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Applications);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().EmailBodies);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Idempotency);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Protection);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Pins);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Outbox);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Maintenance);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Webhooks);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Audit);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Analytics);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Twilio);
        services.AddSingleton(sp => sp.GetRequiredService<TStore>().Workflows);
        return services;
    }
}
