using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Sqlite;

public static class SqliteStorageExtensions
{
    /// <summary>Registers one <see cref="SqliteStore"/> as every store role.</summary>
    public static IServiceCollection AddOpenTfaSqliteStore(this IServiceCollection services, SqliteStoreOptions options)
    {
        services.AddSingleton(sp => new SqliteStore(options, sp.GetService<ILoggerFactory>()?.CreateLogger<SqliteStore>()));
        services.AddSingleton<ITenantStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IApplicationStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IEmailBodyStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IIdempotencyStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IProtectionStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IPinStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IOutboxStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IStoreMaintenance>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWebhookStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAuditStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IAnalyticsStore>(sp => sp.GetRequiredService<SqliteStore>());
        return services;
    }
}
