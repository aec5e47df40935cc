using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Cli;

/// <summary>
/// What <c>opentfa</c> does with the server's own code: <c>serve</c> hosts it, <c>admin
/// create-key</c> opens its store. Kept apart so that the other commands never load the server's
/// assemblies and start quickly.
/// </summary>
internal static class ServerHost
{
    /// <summary>Runs the server with settings from the working directory's appsettings.json; answers the server's exit code.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static Task<int> RunAsync(string[] args) =>
        OpenTfaHost.RunAsync(args, new ServerLaunch("opentfa serve", Environment.CurrentDirectory, builder =>
            // Lowest precedence: appsettings.json, environment variables and arguments all override it.
            ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource
            {
                InitialData =
                [
                    new("Urls", GlobalOptions.DefaultUrl),
                    new("Logging:LogLevel:Default", "Information"),
                    new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                ],
            })));

    /// <summary>The server's settings as <c>serve</c> reads them, with the command line's store on top.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<int> CreateKeyAsync(string? configFile, string? dataDirectory, string? connectionString, string name, bool json, CancellationToken cancellationToken)
    {
        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.GetFullPath(configFile ?? "appsettings.json"), optional: configFile is null)
            .AddEnvironmentVariables();
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (dataDirectory is not null)
        {
            overrides["OpenTfa:DataDirectory"] = dataDirectory;
            overrides["OpenTfa:Storage:Provider"] = "sqlite";
            overrides["OpenTfa:Storage:ConnectionString"] = null;
        }

        if (connectionString is not null)
        {
            overrides["OpenTfa:Storage:Provider"] = "postgres";
            overrides["OpenTfa:Storage:ConnectionString"] = connectionString;
        }

        RecoveredKey key;
        try
        {
            key = await KeyRecovery.CreateOperatorKeyAsync(settings.AddInMemoryCollection(overrides).Build(), name, cancellationToken);
        }
        catch (Exception ex) when (ex is StartupFailureException or InvalidDataException)
        {
            StartupFailureException failure = ex as StartupFailureException ?? StartupFailureException.Configuration(ex);
            Console.Error.WriteLine($"error: no key was created: {failure.Text}");
            return failure.ExitCode;
        }

        if (json)
        {
            Console.Out.WriteLine(new System.Text.Json.Nodes.JsonObject { ["keyId"] = key.KeyId, ["tenantId"] = key.TenantId, ["key"] = key.Key }.ToJsonString());
            return ExitCodes.Ok;
        }

        Output.Table.Pairs(Console.Out, ("keyId", key.KeyId), ("tenantId", key.TenantId), ("scopes", "every scope"), ("store", key.Store), ("audit", "key.recovered"));
        Console.Out.WriteLine();
        Console.Out.WriteLine("The key (shown only now; store it safely):");
        Console.Out.WriteLine(key.Key);
        return ExitCodes.Ok;
    }
}
