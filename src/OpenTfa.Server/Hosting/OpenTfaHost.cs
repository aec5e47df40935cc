using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Errors;
using OpenTfa.Server.OpenApi;
using OpenTfa.Server.Twilio;
using OpenTfa.Server.WebConsole;

namespace OpenTfa.Server.Hosting;

/// <summary>How a program hosts the server: its name in help texts, where appsettings.json is read from, and extra set-up.</summary>
/// <param name="SettingsFolder">The folder of appsettings.json; the server binary's own folder when null.</param>
public sealed record ServerLaunch(string Program = "OpenTfa.Server", string? SettingsFolder = null, Action<WebApplicationBuilder>? Configure = null);

/// <summary>Builds and starts the OpenTfa web application; tests use it to host the real server in-process.</summary>
public static partial class OpenTfaHost
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        Build(CreateBuilder(args, new ServerLaunch(Configure: configure), configFile: null));

    /// <summary>
    /// Runs the server as a program: answers <c>--help</c> and <c>--version</c>, checks the
    /// configuration, opens the store, listens, and only then starts delivery and shows a new
    /// bootstrap key; serves until stopped. A failed start prints one line on standard error and
    /// answers its <see cref="ServerExitCodes"/> code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, ServerLaunch? launch = null)
    {
        launch ??= new ServerLaunch();
        WebApplication? app = null;
        try
        {
            ServerCommandLine line = ServerCommandLine.Parse(args);
            if (line.Help || line.Version)
            {
                Console.Out.WriteLine(line.Help ? ServerCommandLine.HelpText(launch.Program) : BuildInfo.Line);
                return ServerExitCodes.Ok;
            }

            WebApplicationBuilder builder;
            try
            {
                builder = CreateBuilder(line.Settings, launch, line.ConfigFile);
            }
            catch (Exception ex)
            {
                throw StartupFailureException.Configuration(ex);
            }

            app = BuildApp(builder);
            await InitializeAsync(app, CancellationToken.None);
            await ListenAsync(app);
        }
        catch (Exception ex)
        {
            StartupFailureException failure = ex as StartupFailureException ?? StartupFailureException.Unexpected(ex);
            Console.Error.WriteLine(failure.Line);
            if (app is not null)
            {
                Log.StartFailed(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenTfa"), failure.InnerException ?? failure);
                await DisposeQuietlyAsync(app);
            }

            return failure.ExitCode;
        }

        await app.WaitForShutdownAsync();
        await DisposeQuietlyAsync(app);
        return ServerExitCodes.Ok;
    }

    /// <summary>The builder with its settings: appsettings.json from the settings folder (or <paramref name="configFile"/> instead), environment, command line.</summary>
    private static WebApplicationBuilder CreateBuilder(string[] args, ServerLaunch launch, string? configFile)
    {
        // appsettings.json ships beside the binary; the working directory is the operator's (it
        // anchors the relative OpenTfa:DataDirectory), so the two are kept apart unless the
        // launcher (opentfa serve) reads its settings from the working directory.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = configFile is null ? launch.SettingsFolder ?? AppContext.BaseDirectory : AppContext.BaseDirectory,
        });
        if (configFile is not null)
        {
            UseSettingsFile(builder.Configuration, configFile);
        }

        // Hosting logs a failed start with its stack trace; a start run by RunAsync says it in one line instead.
        var start = new StartReporting();
        builder.Services.AddSingleton(start);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Information && !(start.OwnLine && level >= LogLevel.Error));
        launch.Configure?.Invoke(builder);
        return builder;
    }

    /// <summary>Reads <paramref name="file"/> where appsettings.json (and appsettings.{Environment}.json) would have been read.</summary>
    private static void UseSettingsFile(ConfigurationManager configuration, string file)
    {
        if (!File.Exists(file))
        {
            throw new StartupFailureException(ServerExitCodes.Configuration, $"--config names '{file}', which does not exist; give the path of a settings file such as appsettings.json");
        }

        IList<IConfigurationSource> sources = configuration.Sources;
        int at = sources.Select((s, i) => (s, i)).Where(p => p.s is JsonConfigurationSource).Select(p => p.i).DefaultIfEmpty(sources.Count).First();
        foreach (IConfigurationSource json in sources.OfType<JsonConfigurationSource>().ToList())
        {
            sources.Remove(json);
        }

        sources.Insert(at, new JsonConfigurationSource
        {
            Path = Path.GetFileName(file),
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(file)!),
            Optional = false,
            ReloadOnChange = false,
        });
    }

    private static WebApplication BuildApp(WebApplicationBuilder builder)
    {
        try
        {
            return Build(builder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException
            && DataDirectoryOf(builder.Configuration) is { } data && ex.Message.Contains(data, StringComparison.Ordinal))
        {
            throw StartupFailureException.DataFolder(data, ex);
        }
        catch (Exception ex)
        {
            throw StartupFailureException.Configuration(ex);
        }
    }

    private static string? DataDirectoryOf(ConfigurationManager configuration)
    {
        try
        {
            return Path.GetFullPath(configuration["OpenTfa:DataDirectory"] is { Length: > 0 } dir ? dir : "./data");
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTfa(builder.Configuration);
        builder.Services.AddOpenTfaAccessControl();
        builder.AddOpenTfaObservability();
        AfterListening.Wrap(builder.Services);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // As the wire context writes: numbers only as numbers, absent fields left out (what the OpenAPI document describes).
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, Contracts.OpenTfaJsonContext.Default);
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        bool apiDocs = ApiDocs.Enabled(builder.Configuration);
        if (apiDocs)
        {
            builder.Services.AddOpenTfaApiDocs();
        }

        builder.Services.AddProblemDetails();
        int maxBody = builder.Configuration.GetValue<int?>("OpenTfa:MaxRequestBodyBytes") ?? 64 * 1024;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
        builder.Host.ConfigureHostOptions(h => h.ShutdownTimeout = TimeSpan.FromSeconds(20));

        WebApplication app = builder.Build();
        app.UseOpenTfaForwardedHeaders();
        app.UseMiddleware<PathNormalizationMiddleware>();
        app.UseRouting();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseAuthentication();
        app.UseOpenTfaObservability();
        app.UseAuthorization();

        RouteGroupBuilder tfa = app.MapGroup("/2fa/2");
        tfa.MapApplications();
        tfa.MapTemplates();
        tfa.MapPins();
        app.MapTwilio();
        app.MapManagement();
        app.MapEmailBodies();
        app.MapWorkflows();
        app.MapProtection();
        app.MapChannels();
        app.MapCallbacks();
        app.MapWhatsAppTemplates();
        app.MapHealth();
        app.MapVersion();
        app.MapOpenTfaObservability();
        if (apiDocs)
        {
            app.MapOpenTfaApiDocs();
        }

        if (ConsoleEndpoints.Enabled(builder.Configuration))
        {
            app.MapConsole();
        }

        return app;
    }

    /// <summary>
    /// Checks the configuration, opens the store and prepares the bootstrap key
    /// (<see cref="StartupChecks"/>); delivery and the printing of a generated key wait until the server listens.
    /// </summary>
    public static Task InitializeAsync(WebApplication app, CancellationToken cancellationToken) =>
        StartupChecks.RunAsync(app.Services, cancellationToken);

    private static async Task ListenAsync(WebApplication app)
    {
        StartReporting start = app.Services.GetRequiredService<StartReporting>();
        start.OwnLine = true;
        try
        {
            await app.StartAsync();
        }
        catch (OptionsValidationException ex)
        {
            throw StartupFailureException.Configuration(ex);
        }
        catch (Exception ex)
        {
            throw StartupFailureException.Listener(app.Configuration["urls"], ex);
        }
        finally
        {
            start.OwnLine = false;
        }
    }

    private static async Task DisposeQuietlyAsync(WebApplication app)
    {
        try
        {
            await app.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The process ends anyway; what failed was already said.
        }
    }

    /// <summary>Whether <see cref="RunAsync"/> reports a failed start itself, so that hosting's own stack trace is left out.</summary>
    private sealed class StartReporting
    {
        public volatile bool OwnLine;
    }

    private static partial class Log
    {
        [LoggerMessage(7, LogLevel.Debug, "The start failed")]
        public static partial void StartFailed(ILogger logger, Exception exception);
    }
}
