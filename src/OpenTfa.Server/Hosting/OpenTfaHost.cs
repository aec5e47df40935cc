using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Errors;

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
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, Contracts.OpenTfaJsonContext.Default));
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
        app.MapManagement();
        app.MapEmailBodies();
        app.MapProtection();
        app.MapChannels();
        app.MapCallbacks();
        app.MapHealth();
        app.MapVersion();
        app.MapOpenTfaObservability();
        return app;
    }

    /// <summary>
    /// Checks the configuration, opens the store and prepares the bootstrap key, in that order,
    /// each failure a <see cref="StartupFailureException"/> naming its part. Delivery and the printing of a
    /// generated key wait until the server listens (<see cref="IHostApplicationLifetime.ApplicationStarted"/>).
    /// </summary>
    public static async Task InitializeAsync(WebApplication app, CancellationToken cancellationToken)
    {
        IServiceProvider services = app.Services;
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenTfa");
        (OpenTfaOptions options, ChannelRouter router, string? configuredKey) = CheckConfiguration(services);
        string dataDirectory = Path.GetFullPath(options.DataDirectory);
        try
        {
            EnsureWritable(dataDirectory);
            await services.GetRequiredService<IStoreMaintenance>().InitializeAsync(cancellationToken);
            await PrepareBootstrapKeyAsync(services, dataDirectory, configuredKey, logger, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StartupFailureException.Store(options, dataDirectory, ex);
        }

        WarnAboutDelivery(router, logger);
        if (KeyRingLoader.BesideDatabase(options.Encryption, dataDirectory) && options.Storage.Provider == "sqlite")
        {
            Log.KeyBesideDatabase(logger);
        }
    }

    private static (OpenTfaOptions Options, ChannelRouter Router, string? BootstrapKey) CheckConfiguration(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            OpenTfaOptions options = services.GetRequiredService<IOptions<OpenTfaOptions>>().Value;
            ChannelRouter router = services.GetRequiredService<ChannelRouter>();
            List<string> problems = router.Problems().ToList();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException("Invalid OpenTfa routes:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
            }

            string? configuredKey = SecretSettings.Resolve(options.BootstrapApiKey, options.BootstrapApiKeyFile, "OpenTfa:BootstrapApiKey");
            if (configuredKey is { Length: < ApiKeyFormat.MinOperatorChosenLength })
            {
                throw new InvalidOperationException(
                    $"OpenTfa:BootstrapApiKeyFile holds a key shorter than {ApiKeyFormat.MinOperatorChosenLength} characters (the value is not shown); leave the setting unset to have a strong key generated and printed once");
            }

            return (options, router, configuredKey);
        }
        catch (Exception ex)
        {
            throw StartupFailureException.Configuration(ex);
        }
    }

    private static void EnsureWritable(string dataDirectory)
    {
        string probe = Path.Combine(dataDirectory, ".opentfa-write-check");
        try
        {
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StartupFailureException.DataFolder(dataDirectory, ex);
        }
    }

    /// <summary>
    /// On an empty store, creates the operator's first key: the configured one, or a generated one
    /// that is kept sealed in the data folder until it has been printed after listening.
    /// </summary>
    private static async Task PrepareBootstrapKeyAsync(IServiceProvider services, string dataDirectory, string? configuredKey, ILogger logger, CancellationToken cancellationToken)
    {
        AccessService access = services.GetRequiredService<AccessService>();
        if (configuredKey is not null)
        {
            if ((await access.BootstrapAsync(configuredKey, cancellationToken)).Created)
            {
                Log.BootstrapKeyCreated(logger);
            }
            else
            {
                bool works = await IsUsableKeyAsync(services, configuredKey, cancellationToken);
                Log.BootstrapKeyIgnored(logger, works ? "That key is one of them and works" : "That key is not one of them and does not work");
            }

            return;
        }

        var pending = new PendingBootstrapKey(dataDirectory, services.GetRequiredService<SecretProtector>());
        string? earlier = pending.Read();
        string key = earlier ?? ApiKeyFormat.Generate().Key;
        if (earlier is null)
        {
            pending.Write(key);
        }

        bool created = (await access.BootstrapAsync(key, cancellationToken)).Created;
        if (!created && (earlier is null || !await IsUsableKeyAsync(services, key, cancellationToken)))
        {
            pending.Delete();
            return;
        }

        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
        {
            // Printed once, straight to standard output, never through the logger.
            Console.Out.WriteLine($"[opentfa] Bootstrap API key (all scopes; shown only now): {key}");
            Console.Out.Flush();
            pending.Delete();
        });
    }

    private static async Task<bool> IsUsableKeyAsync(IServiceProvider services, string key, CancellationToken cancellationToken) =>
        await services.GetRequiredService<ITenantStore>().FindKeyAsync(ApiKeyFormat.KeyIdOf(key), cancellationToken) is { } stored
        && ApiKeyFormat.HashMatches(key, stored.Hash)
        && stored.IsUsableAt(services.GetRequiredService<TimeProvider>().GetUtcNow());

    /// <summary>Says so when PINs really go to a log channel: a route names one. A log channel no route names prints nothing.</summary>
    private static void WarnAboutDelivery(ChannelRouter router, ILogger logger)
    {
        if (router.Channels.All(c => c is LogChannel))
        {
            if (router.KindsWithoutChannel().Count < Enum.GetValues<ChannelKind>().Length)
            {
                Log.LogChannelInUse(logger);
            }
        }
        else
        {
            foreach ((string route, string channel) in router.LogRoutesBesideRealChannels())
            {
                Log.LogChannelRouted(logger, route, channel);
            }
        }

        foreach (ChannelKind kind in router.KindsWithoutChannel())
        {
            Log.NoChannelForKind(logger, kind);
        }
    }

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
        [LoggerMessage(1, LogLevel.Information, "Created the bootstrap API key from OpenTfa:BootstrapApiKey on an empty store")]
        public static partial void BootstrapKeyCreated(ILogger logger);

        [LoggerMessage(2, LogLevel.Warning, "DEVELOPMENT DELIVERY: messages go to the 'log' channel, which prints them to standard output and delivers nothing. Configure OpenTfa:Channels and OpenTfa:Routes for real SMS, voice and e-mail.")]
        public static partial void LogChannelInUse(ILogger logger);

        [LoggerMessage(3, LogLevel.Warning, "The PIN encryption key file sits beside the database in the data folder; in production keep it elsewhere (OpenTfa:Encryption:KeyFile) so that a copy of the data alone does not reveal PINs")]
        public static partial void KeyBesideDatabase(ILogger logger);

        [LoggerMessage(4, LogLevel.Warning, "No {Kind} channel is configured: sends and resends of this kind are refused with 400 BAD_REQUEST (except for applications with their own route under OpenTfa:Routes:Applications). Configure a channel that carries this kind and name it in OpenTfa:Routes.")]
        public static partial void NoChannelForKind(ILogger logger, ChannelKind kind);

        [LoggerMessage(5, LogLevel.Warning, "DEVELOPMENT DELIVERY: {Route} names the log channel '{Channel}', which prints these messages and their PINs to standard output and delivers nothing.")]
        public static partial void LogChannelRouted(ILogger logger, string route, string channel);

        [LoggerMessage(6, LogLevel.Warning, "OpenTfa:BootstrapApiKey was ignored: the store already has API keys, and the setting only creates the first key of an empty store. {Status}. Remove the setting; create more keys with 'opentfa keys create', or, if no admin key is left, mint one offline with 'opentfa admin create-key' (docs/operations.md, \"Lost the admin key\").")]
        public static partial void BootstrapKeyIgnored(ILogger logger, string status);

        [LoggerMessage(7, LogLevel.Debug, "The start failed")]
        public static partial void StartFailed(ILogger logger, Exception exception);
    }
}
