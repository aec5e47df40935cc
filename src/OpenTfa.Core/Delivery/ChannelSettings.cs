using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// How a channel type binds its settings: one named options instance per channel (named after
/// the channel), bound by the configuration binder from <c>OpenTfa:Channels:&lt;name&gt;</c> and
/// validated at start-up.
/// </summary>
public static class ChannelSettings
{
    public const string Section = "OpenTfa:Channels";

    public static string PathOf(string? name) => string.IsNullOrEmpty(name) ? Section : $"{Section}:{name}";

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> for the channel <paramref name="name"/>. Text settings
    /// are trimmed and a blank one counts as unset; a secret setting X (a text setting whose name
    /// says password, secret, token, key…) may be given as <c>XFile</c>, a path whose content is the value.
    /// </summary>
    public static OptionsBuilder<TOptions> AddChannelOptions<TOptions>(this IServiceCollection services, string name, IConfigurationSection settings)
        where TOptions : class
    {
        var text = new TextSettings<TOptions>(name, settings);
        services.AddSingleton<IPostConfigureOptions<TOptions>>(text);
        services.AddSingleton<IValidateOptions<TOptions>>(text);
        return services.AddOptions<TOptions>(name).Bind(settings).ValidateOnStart();
    }

    /// <summary>The channel's validated options; a bad setting throws, naming every problem.</summary>
    public static TOptions Get<TOptions>(IServiceProvider services, string type, string name)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            return services.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name);
        }
        catch (OptionsValidationException e)
        {
            throw new InvalidOperationException(
                $"Invalid settings for the {type} channel '{name}':" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", e.Failures), e);
        }
    }

    /// <summary>The secret settings of <paramref name="type"/> that may be given as files.</summary>
    public static IEnumerable<string> SecretSettings(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType == typeof(string) && p.CanWrite && SecretRedaction.IsSecretName(p.Name))
            .Select(p => p.Name);

    /// <summary>Tidies the text settings, reads <c>XFile</c> into an unset secret X, and reports a file that is not there.</summary>
    private sealed class TextSettings<TOptions>(string name, IConfigurationSection settings) : IPostConfigureOptions<TOptions>, IValidateOptions<TOptions>
        where TOptions : class
    {
        /// <summary>
        /// The text settings of <typeparamref name="TOptions"/> and whether each may be null, read once:
        /// <see cref="NullabilityInfoContext"/> is not thread-safe, and servers may start side by side.
        /// </summary>
        private static readonly (PropertyInfo Property, bool Nullable)[] Texts = ReadTexts();

        private static (PropertyInfo, bool)[] ReadTexts()
        {
            var nullability = new NullabilityInfoContext();
            return typeof(TOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(string) && p.CanWrite && !SecretRedaction.IsSecretName(p.Name))
                .Select(p => (p, nullability.Create(p).WriteState == NullabilityState.Nullable))
                .ToArray();
        }

        public void PostConfigure(string? optionsName, TOptions options)
        {
            if (optionsName != name)
            {
                return;
            }

            foreach ((PropertyInfo property, bool nullable) in Texts)
            {
                string? value = (property.GetValue(options) as string)?.Trim();
                property.SetValue(options, string.IsNullOrEmpty(value) && nullable ? null : value ?? string.Empty);
            }

            foreach (PropertyInfo property in Secrets())
            {
                if (string.IsNullOrEmpty(property.GetValue(options) as string) && settings[property.Name + "File"] is { Length: > 0 } file && File.Exists(file))
                {
                    property.SetValue(options, File.ReadAllText(file).Trim());
                }
            }
        }

        public ValidateOptionsResult Validate(string? optionsName, TOptions options)
        {
            if (optionsName != name)
            {
                return ValidateOptionsResult.Skip;
            }

            List<string> missing = Secrets()
                .Select(p => (Setting: p.Name + "File", File: settings[p.Name + "File"]))
                .Where(s => !string.IsNullOrEmpty(s.File) && !File.Exists(s.File))
                .Select(s => $"{settings.Path}:{s.Setting} points at '{s.File}', which does not exist")
                .ToList();
            return missing.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(missing);
        }

        private static IEnumerable<PropertyInfo> Secrets() =>
            SecretSettings(typeof(TOptions)).Select(n => typeof(TOptions).GetProperty(n)!);
    }
}

/// <summary>Base of a channel type's validator: its messages name <c>OpenTfa:Channels:&lt;name&gt;:Setting</c>.</summary>
public abstract class ChannelSettingsValidator<TOptions> : SettingsValidator<TOptions>
    where TOptions : class
{
    protected override string SectionOf(string? name) => ChannelSettings.PathOf(name);
}
