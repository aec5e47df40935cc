using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Cli;

/// <summary>
/// Hosts the server for <c>opentfa serve</c>. Kept apart so that the other commands never load
/// the server's assemblies and start quickly.
/// </summary>
internal static class ServerHost
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = OpenTfaHost.Build(args, builder =>
                // Lowest precedence: appsettings.json, environment variables and arguments all override it.
                ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource
                {
                    InitialData =
                    [
                        new("Urls", GlobalOptions.DefaultUrl),
                        new("Logging:LogLevel:Default", "Information"),
                        new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                    ],
                }));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or IOException)
        {
            Console.Error.WriteLine($"error: the server cannot start: {ex.Message}");
            return ExitCodes.Unavailable;
        }

        try
        {
            await OpenTfaHost.RunAsync(app);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"error: the server failed: {ex.GetType().Name}: {ex.Message}");
            Console.Error.WriteLine("  Check the configuration (docs/configuration.md) and that the address is free (--urls).");
            return ExitCodes.Unavailable;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
