using Microsoft.Extensions.DependencyInjection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

public static class PostgresStorageExtensions
{
    /// <summary>
    /// Registers one <see cref="PostgresStore"/> (one connection pool) as every store role.
    /// The schema is created or migrated by <see cref="IStoreMaintenance.InitializeAsync"/>.
    /// </summary>
    public static IServiceCollection AddOpenTfaPostgresStore(this IServiceCollection services, string connectionString) =>
        services.AddOpenTfaPostgresStore(new PostgresStoreOptions { ConnectionString = connectionString });

    /// <inheritdoc cref="AddOpenTfaPostgresStore(IServiceCollection, string)"/>
    public static IServiceCollection AddOpenTfaPostgresStore(this IServiceCollection services, PostgresStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);

        services.AddSingleton(_ => new PostgresStore(options));
        services.AddSingleton<ITenantStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IApplicationStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IEmailBodyStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IProtectionStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IPinStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IStoreMaintenance>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IWebhookStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IAuditStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IAnalyticsStore>(sp => sp.GetRequiredService<PostgresStore>());
        return services;
    }
}
