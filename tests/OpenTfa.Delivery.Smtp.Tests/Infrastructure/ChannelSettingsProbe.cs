using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Tests.Infrastructure;

/// <summary>A channel's settings bound and validated as start-up does it: the factory's named options for one channel.</summary>
public static class ChannelSettingsProbe
{
    /// <summary>The section <c>OpenTfa:Channels:&lt;name&gt;</c> holding <paramref name="settings"/>.</summary>
    public static IConfigurationSection Section(string name, params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"{ChannelSettings.Section}:{name}:{s.Key}", s.Value)))
            .Build()
            .GetSection(ChannelSettings.PathOf(name));

    /// <summary>The services a channel is created from: its named options and, when given, the dispatcher's send timeout.</summary>
    public static ServiceProvider Services(IChannelFactory factory, IConfigurationSection section, TimeSpan? sendTimeout = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection();
        if (sendTimeout is { } timeout)
        {
            services.AddSingleton(Options.Create(new DeliveryOptions { SendTimeout = timeout }));
        }

        more?.Invoke(services);
        factory.AddSettings(services, section.Key, section);
        return services.BuildServiceProvider();
    }

    /// <summary>Every problem start-up would report for the channel; empty when its settings are valid.</summary>
    public static IReadOnlyList<string> Problems(IChannelFactory factory, IConfigurationSection section, TimeSpan? sendTimeout = null)
    {
        using ServiceProvider services = Services(factory, section, sendTimeout);
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e)
        {
            return [.. e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(i => i.Failures).Distinct()];
        }
    }

    /// <summary>The channel's bound options (validated: a bad setting throws).</summary>
    public static TOptions Read<TOptions>(IChannelFactory factory, IConfigurationSection section)
        where TOptions : class
    {
        using ServiceProvider services = Services(factory, section);
        return services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(section.Key);
    }
}
