using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Endpoints;
using OpenTfa.Server.Errors;

namespace OpenTfa.Server.Hosting;

/// <summary>Builds and starts the OpenTfa web application; tests use it to host the real server in-process.</summary>
public static partial class OpenTfaHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json ships beside the binary; the working directory is the operator's
        // (it anchors the relative OpenTfa:DataDirectory), so the two are kept apart.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.Services.AddOpenTfa(builder.Configuration);
        builder.Services.AddOpenTfaAccessControl();
        builder.AddOpenTfaObservability();
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
        app.MapOpenTfaObservability();
        return app;
    }

    /// <summary>Prepares the store and the bootstrap key, and says what a new operator must know; then serves until stopped.</summary>
    public static async Task RunAsync(WebApplication app)
    {
        await InitializeAsync(app, CancellationToken.None);
        await app.RunAsync();
    }

    public static async Task InitializeAsync(WebApplication app, CancellationToken cancellationToken)
    {
        IServiceProvider services = app.Services;
        OpenTfaOptions options = services.GetRequiredService<IOptions<OpenTfaOptions>>().Value;
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenTfa");
        await services.GetRequiredService<IStoreMaintenance>().InitializeAsync(cancellationToken);

        string? configuredKey = SecretSettings.Resolve(options.BootstrapApiKey, options.BootstrapApiKeyFile, "OpenTfa:BootstrapApiKey");
        if (configuredKey is { Length: < ApiKeyFormat.MinOperatorChosenLength })
        {
            throw new InvalidOperationException(
                $"OpenTfa:BootstrapApiKeyFile holds a key shorter than {ApiKeyFormat.MinOperatorChosenLength} characters (the value is not shown); leave the setting unset to have a strong key generated and printed once");
        }

        (bool created, string? generated) = await services.GetRequiredService<AccessService>().BootstrapAsync(configuredKey, cancellationToken);
        if (generated is not null)
        {
            // Printed once, straight to standard output, never through the logger.
            Console.Out.WriteLine($"[opentfa] Bootstrap API key (all scopes; shown only now): {generated}");
            Console.Out.Flush();
        }
        else if (created)
        {
            Log.BootstrapKeyCreated(logger);
        }

        ChannelRouter router = services.GetRequiredService<ChannelRouter>();
        if (router.Channels.All(c => c is LogChannel))
        {
            Log.LogChannelInUse(logger);
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

        if (KeyRingLoader.BesideDatabase(options.Encryption, Path.GetFullPath(options.DataDirectory)) && options.Storage.Provider == "sqlite")
        {
            Log.KeyBesideDatabase(logger);
        }
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
    }
}
