using OpenTfa.Core.Observability;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Server.Hosting;

/// <summary>A key minted by <see cref="KeyRecovery"/>: shown once, like every new key.</summary>
public sealed record RecoveredKey(string KeyId, string TenantId, string Key, string Store);

/// <summary>
/// The way back when the only admin key is lost: mints an operator key with every scope straight
/// into the store, with no server running and no key to present, and records it in the audit
/// trail as <c>key.recovered</c>. Whoever can run it can read the store anyway.
/// </summary>
public static class KeyRecovery
{
    /// <param name="configuration">The server's settings; only <c>OpenTfa:DataDirectory</c> and <c>OpenTfa:Storage:*</c> are read.</param>
    public static async Task<RecoveredKey> CreateOperatorKeyAsync(IConfiguration configuration, string name, CancellationToken cancellationToken)
    {
        var options = new OpenTfaOptions();
        configuration.GetSection(OpenTfaOptions.Section).Bind(options);
        string dataDirectory = Path.GetFullPath(options.DataDirectory);
        string store = options.Storage.Provider == "postgres" ? "PostgreSQL (OpenTfa:Storage:ConnectionString)" : SqlitePath(options, dataDirectory);
        if (options.Storage.Provider != "postgres" && !File.Exists(store))
        {
            // A mistyped folder must not get a new, empty store that the server would never read.
            throw new StartupFailureException(ServerExitCodes.Store,
                $"there is no OpenTfa database at '{store}': give the server's data folder (--data-directory, OpenTfa:DataDirectory) or its PostgreSQL connection string (--connection-string)");
        }

        var services = new ServiceCollection();
        try
        {
            ServiceRegistration.AddStore(services, options, dataDirectory);
        }
        catch (InvalidOperationException ex)
        {
            throw StartupFailureException.Configuration(ex);
        }

        await using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IStoreMaintenance>().InitializeAsync(cancellationToken);
            DateTimeOffset now = TimeProvider.System.GetUtcNow();
            (string keyId, string clear) = ApiKeyFormat.Generate();
            ITenantStore tenants = provider.GetRequiredService<ITenantStore>();
            if (!(await new AccessService(tenants, TimeProvider.System).BootstrapAsync(clear, cancellationToken)).Created)
            {
                await tenants.CreateKeyAsync(new ApiKey(keyId, Tenant.OperatorId, name, ApiKeyFormat.Hash(clear), Scopes.All, now, null, null, null), cancellationToken);
            }

            await provider.GetRequiredService<IAuditStore>().AppendAuditAsync(new AuditEntry(
                0, now, Tenant.OperatorId, Tenant.OperatorId, keyId, AuditActions.KeyRecovered, "key", keyId,
                $"minted offline with every scope ({string.Join(' ', Scopes.All)}) by 'opentfa admin create-key'"), cancellationToken);
            return new RecoveredKey(keyId, Tenant.OperatorId, clear, store);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not StartupFailureException)
        {
            throw StartupFailureException.Store(options, dataDirectory, ex);
        }
    }

    /// <summary>The SQLite database file: the connection string when one is given, else opentfa.db in the data folder.</summary>
    internal static string SqlitePath(OpenTfaOptions options, string dataDirectory) =>
        options.Storage.ConnectionString ?? Path.Combine(dataDirectory, "opentfa.db");
}
