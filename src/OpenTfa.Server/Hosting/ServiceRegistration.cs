using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Workflows;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Security;
using OpenTfa.Core.Templates;
using OpenTfa.Core.Webhooks;
using OpenTfa.Core.Tenancy;
using OpenTfa.Storage.Postgres;
using OpenTfa.Storage.Sqlite;

namespace OpenTfa.Server.Hosting;

internal static class ServiceRegistration
{
    /// <summary>Binds and validates the <c>OpenTfa</c> section and registers Core, the store and the channels.</summary>
    public static IServiceCollection AddOpenTfa(this IServiceCollection services, IConfiguration configuration)
    {
        IReadOnlyCollection<IChannelFactory> factories = AddChannelFactories(services);
        StartupValidation.ThrowIfInvalid(configuration, factories);
        services.AddOpenTfaSettings(configuration, factories);

        // Checked above: registration decides the store and the data folder from these values.
        IConfigurationSection section = configuration.GetSection(OpenTfaOptions.Section);
        OpenTfaOptions options = section.Get<OpenTfaOptions>() ?? new OpenTfaOptions();
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
        AddChannels(services, section);

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<ApplicationService>();
        services.AddSingleton<TemplateService>();
        services.AddSingleton<EmailBodyService>();
        services.AddSingleton<ProtectionService>();
        services.AddSingleton<SendValidator>();
        services.AddSingleton<VerifyValidator>();
        services.AddSingleton<PinMessageBuilder>();
        services.AddSingleton<PinEvents>();
        services.AddSingleton<PinService>();
        services.AddSingleton<OpenTfa.Core.Twilio.TwilioServices>();
        services.AddSingleton<OpenTfa.Core.Twilio.TwilioRateLimits>();
        services.AddSingleton<OpenTfa.Core.Twilio.TwilioVerifications>();
        services.AddSingleton<SenderService>();
        services.AddSingleton<AccessService>();
        services.AddSingleton(sp => new ConsoleSessions(sp.GetRequiredService<AccessService>(), sp.GetRequiredService<OpenTfa.Core.Storage.ITenantStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<OpenTfaOptions>>().Value.Console.SessionLifetime));
        services.AddSingleton(sp => new AuthFailureThrottle(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<OpenTfaOptions>>().Value.MaxAuthFailuresPerMinute));
        services.AddSingleton(sp =>
        {
            DeliveryOptions delivery = sp.GetRequiredService<IOptions<DeliveryOptions>>().Value;
            return new ChannelBreakers(sp.GetRequiredService<TimeProvider>(), delivery.BreakerFailureThreshold, delivery.BreakerOpenDuration);
        });
        services.AddSingleton<ChannelActivity>();
        services.AddSingleton<DeliveryReports>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<WorkflowRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowRunner>());
        services.AddSingleton<WorkflowService>();
        services.AddHostedService<RetentionService>();
        return services;
    }

    /// <summary>
    /// The options of the <c>OpenTfa</c> section, bound by the configuration binder: the whole
    /// section validated by <see cref="OpenTfaOptionsValidator"/> at start, the sections Core
    /// reads on their own, and one named options instance per channel.
    /// </summary>
    public static IServiceCollection AddOpenTfaSettings(this IServiceCollection services, IConfiguration configuration, IEnumerable<IChannelFactory> factories)
    {
        services.AddOptions<OpenTfaOptions>()
            .BindConfiguration(OpenTfaOptions.Section)
            .Configure<IConfiguration>((o, c) => ReplaceDefaultLists(o.Webhooks, c))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenTfaOptions>, OpenTfaOptionsValidator>());

        // The sections Core reads on their own; the validator above has checked them as part of the whole.
        services.AddOptions<PinOptions>().BindConfiguration($"{OpenTfaOptions.Section}:{nameof(OpenTfaOptions.Pins)}");
        services.AddOptions<ProtectionOptions>().BindConfiguration($"{OpenTfaOptions.Section}:{nameof(OpenTfaOptions.Protection)}");
        services.AddOptions<DeliveryOptions>().BindConfiguration($"{OpenTfaOptions.Section}:{nameof(OpenTfaOptions.Delivery)}");
        services.AddOptions<WorkflowOptions>().BindConfiguration($"{OpenTfaOptions.Section}:{nameof(OpenTfaOptions.Workflows)}");
        services.AddOptions<RoutingOptions>().BindConfiguration($"{OpenTfaOptions.Section}:{nameof(OpenTfaOptions.Routes)}");
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).Configure<IConfiguration>(ReplaceDefaultLists);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value);

        Dictionary<string, IChannelFactory> byType = factories.GroupBy(f => f.Type, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        foreach (IConfigurationSection channel in configuration.GetSection(ChannelSettings.Section).GetChildren())
        {
            if (channel["Type"] is { } type && byType.TryGetValue(type, out IChannelFactory? factory))
            {
                factory.AddSettings(services, channel.Key, channel);
            }
        }

        return services;
    }

    /// <summary>The binder adds a configured list to a list's default items; a configured list replaces them.</summary>
    private static void ReplaceDefaultLists(WebhookOptions webhooks, IConfiguration configuration)
    {
        IConfigurationSection ports = configuration.GetSection($"{WebhookOptions.Section}:{nameof(WebhookOptions.AllowedPorts)}");
        if (ports.Exists())
        {
            webhooks.AllowedPorts = ports.Get<int[]>() ?? [];
        }
    }

    /// <summary>The channel types on offer, registered as instances so that start-up can check each channel's settings before the container exists.</summary>
    private static List<IChannelFactory> AddChannelFactories(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new LogChannelFactory()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IChannelFactory>(new DiscardChannelFactory()));
        services.AddOpenTfaSmpp();
        services.AddOpenTfaSmtp();
        services.AddOpenTfaHttpGateways();
        return services
            .Where(d => d.ServiceType == typeof(IChannelFactory))
            .Select(d => d.ImplementationInstance as IChannelFactory
                ?? (d.ImplementationType is { } type && type.GetConstructor(Type.EmptyTypes) is not null ? (IChannelFactory?)Activator.CreateInstance(type) : null))
            .OfType<IChannelFactory>()
            .ToList();
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    internal static void AddStore(IServiceCollection services, OpenTfaOptions options, string dataDirectory)
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
                    SendLimitLease = options.Storage.SendLimitLease,
                });
                break;
            default:
                throw new InvalidOperationException($"OpenTfa:Storage:Provider '{options.Storage.Provider}' is not supported: use sqlite or postgres.");
        }
    }

    private static void AddChannels(IServiceCollection services, IConfigurationSection section)
    {
        services.AddSingleton(sp =>
        {
            List<IMessageChannel> channels = CreateChannels(sp, section, sp.GetRequiredService<IOptions<OpenTfaOptions>>().Value);
            FillEmptyRoutes(sp.GetRequiredService<IOptions<RoutingOptions>>().Value, channels);
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
            // Start-up has checked that every channel's type exists.
            channels.Add(factories[channel.Type!].Create(name, section.GetSection($"Channels:{name}"), services));
        }

        return channels;
    }
}
