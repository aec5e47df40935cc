using Microsoft.Extensions.DependencyInjection;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Postgres;

public static class PostgresStorageExtensions
{
    /// <summary>
    /// Registers one <see cref="PostgresStore"/> (one connection pool), and each store role as its role property.
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

        return services.AddStoreRoles(_ => new PostgresStore(options));
    }
}
