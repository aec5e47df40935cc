using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// What a start checks before the server listens: the configuration, a writable data folder, the
/// store and its schema, the operator's first key; and what it warns about (PINs printed by a log
/// channel, a kind no channel carries, the encryption key beside the database).
/// </summary>
internal static partial class StartupChecks
{
    /// <summary>
    /// Checks the configuration, opens the store and prepares the bootstrap key, in that order,
    /// each failure a <see cref="StartupFailureException"/> naming its part. Delivery and the printing of a
    /// generated key wait until the server listens (<see cref="IHostApplicationLifetime.ApplicationStarted"/>).
    /// </summary>
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
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
            if (router.KindsWithoutChannel().Count < ChannelKinds.Expected.Count)
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
    }
}
