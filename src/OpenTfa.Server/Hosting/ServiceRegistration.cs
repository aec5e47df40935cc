using Microsoft.Extensions.Options;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Security;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Tenancy;
using OpenTfa.Storage.Postgres;
using OpenTfa.Storage.Sqlite;

namespace OpenTfa.Server.Hosting;

internal static class ServiceRegistration
{
    /// <summary>Binds and validates the <c>OpenTfa</c> section and registers Core, the store and the channels.</summary>
    public static IServiceCollection AddOpenTfa(this IServiceCollection services, IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection(OpenTfaOptions.Section);
        var options = new OpenTfaOptions();
        section.Bind(options);
        StartupValidation.ThrowIfInvalid(options);

        services.AddSingleton(Options.Create(options));
        services.AddSingleton(Options.Create(options.Pins));
        services.AddSingleton(Options.Create(options.Protection));
        services.AddSingleton(Options.Create(options.Delivery));
        services.TryAddTimeProvider();

        string dataDirectory = Path.GetFullPath(options.DataDirectory);
        // The folder holds the database and, by default, the PIN key: its owner's alone.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        services.AddSingleton(KeyRingLoader.Load(options.Encryption, dataDirectory));
        services.AddSingleton<SecretProtector>();

        AddStore(services, options, dataDirectory);
        AddChannels(services, section, options);

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<ApplicationService>();
        services.AddSingleton<TemplateService>();
        services.AddSingleton<EmailBodyService>();
        services.AddSingleton<ProtectionService>();
        services.AddSingleton<PinService>();
        services.AddSingleton<SenderService>();
        services.AddSingleton<AccessService>();
        services.AddSingleton(sp => new AuthFailureThrottle(sp.GetRequiredService<TimeProvider>(), options.MaxAuthFailuresPerMinute));
        services.AddSingleton(sp => new ChannelBreakers(sp.GetRequiredService<TimeProvider>(), options.Delivery.BreakerFailureThreshold, options.Delivery.BreakerOpenDuration));
        services.AddSingleton<ChannelActivity>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddHostedService<RetentionService>();
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static void AddStore(IServiceCollection services, OpenTfaOptions options, string dataDirectory)
    {
        string? connection = SecretSettings.Resolve(options.Storage.ConnectionString, options.Storage.ConnectionStringFile, "OpenTfa:Storage:ConnectionString");
        switch (options.Storage.Provider.ToLowerInvariant())
        {
            case "sqlite":
                services.AddOpenTfaSqliteStore(new SqliteStoreOptions
                {
                    DatabasePath = connection ?? Path.Combine(dataDirectory, "opentfa.db"),
                    FullSync = options.Storage.SqliteSynchronous.Equals("FULL", StringComparison.OrdinalIgnoreCase),
                    MaxSizeMegabytes = options.Storage.SqliteMaxSizeMegabytes,
                });
                break;
            case "postgres":
                services.AddOpenTfaPostgresStore(new PostgresStoreOptions
                {
                    ConnectionString = connection
                        ?? throw new InvalidOperationException("OpenTfa:Storage:ConnectionString (or ConnectionStringFile) is required when OpenTfa:Storage:Provider is postgres."),
                    ConnectTimeout = options.Storage.ConnectTimeout,
                    CommandTimeout = options.Storage.CommandTimeout,
                });
                break;
            default:
                throw new InvalidOperationException($"OpenTfa:Storage:Provider '{options.Storage.Provider}' is not supported: use sqlite or postgres.");
        }
    }

    private static void AddChannels(IServiceCollection services, IConfigurationSection section, OpenTfaOptions options)
    {
        services.AddSingleton<IChannelFactory, LogChannelFactory>();
        services.AddSingleton<IChannelFactory, DiscardChannelFactory>();
        services.AddOpenTfaSmpp();
        services.AddOpenTfaSmtp();
        services.AddOpenTfaHttpGateways();
        services.AddSingleton(Options.Create(options.Routes));
        services.AddSingleton(sp =>
        {
            List<IMessageChannel> channels = CreateChannels(sp, section, options);
            FillEmptyRoutes(options.Routes, channels);
            return new ChannelRouter(channels, sp.GetRequiredService<IOptions<RoutingOptions>>());
        });
        services.AddHostedService<ChannelHost>();
    }

    /// <summary>
    /// A kind without a configured route goes to the first configured channel that can carry it.
    /// The log channel prints PINs to standard output, so it fills a route only when it is all
    /// the server has (nothing configured, or log channels alone); once any channel that
    /// delivers is configured, a kind that none of them carries keeps an empty route and its
    /// sends are refused. An operator who wants the log channel beside real ones names it in a route.
    /// </summary>
    private static void FillEmptyRoutes(RoutingOptions routes, List<IMessageChannel> channels)
    {
        bool logOnly = channels.All(c => c is LogChannel);
        foreach (ChannelKind kind in Enum.GetValues<ChannelKind>())
        {
            if (routes.For(kind).Count == 0
                && channels.FirstOrDefault(c => c.Supports(kind) && (logOnly || c is not LogChannel)) is { } channel)
            {
                routes.For(kind).Add(channel.Name);
            }
        }
    }

    /// <summary>The configured channels; with none configured, the development log channel alone.</summary>
    private static List<IMessageChannel> CreateChannels(IServiceProvider services, IConfigurationSection section, OpenTfaOptions options)
    {
        Dictionary<string, IChannelFactory> factories = services.GetServices<IChannelFactory>().ToDictionary(f => f.Type, StringComparer.OrdinalIgnoreCase);
        if (options.Channels.Count == 0)
        {
            return [factories[LogChannel.Type].Create(LogChannel.Type, section.GetSection("Channels:log"), services)];
        }

        var channels = new List<IMessageChannel>();
        foreach ((string name, ChannelOptions channel) in options.Channels)
        {
            if (channel.Type is null || !factories.TryGetValue(channel.Type, out IChannelFactory? factory))
            {
                throw new InvalidOperationException(
                    $"OpenTfa:Channels:{name}:Type '{channel.Type}' is not a channel type: use one of {string.Join(", ", factories.Keys.Order(StringComparer.Ordinal))}.");
            }

            channels.Add(factory.Create(name, section.GetSection($"Channels:{name}"), services));
        }

        return channels;
    }

}
