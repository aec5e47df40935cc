using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Sqlite;

public static class SqliteStorageExtensions
{
    /// <summary>Registers one <see cref="SqliteStore"/>, and each store role as its role property.</summary>
    public static IServiceCollection AddOpenTfaSqliteStore(this IServiceCollection services, SqliteStoreOptions options) =>
        services.AddStoreRoles(sp => new SqliteStore(options, sp.GetService<ILoggerFactory>()?.CreateLogger<SqliteStore>()));
}
