using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// One SMPP channel (<c>OpenTfa:Channels:&lt;name&gt;</c> with <c>Type</c> = <c>smpp</c>): the
/// connection settings of <see cref="SmppConnectionOptions"/> and the channel's own, all in
/// the same section.
/// </summary>
public sealed class SmppChannelOptions
{
    public SmppConnectionOptions Connection { get; init; } = new();

    /// <summary>The sender when the message has none (no template senderId, no OpenTfa:Pins default); empty lets the SMSC choose.</summary>
    public string? DefaultSender { get; set; }

    /// <summary>
    /// How long one send may wait for a bound session with room in its window (and for the
    /// throughput cap or a throttling pause) before it goes back to the outbox as a temporary
    /// failure. With ResponseTimeout it must stay below OpenTfa:Delivery:SendTimeout.
    /// </summary>
    public TimeSpan LinkWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Reads and checks the section; every problem names its setting, and no problem shows the password.</summary>
    /// <param name="sendTimeout">The dispatcher's OpenTfa:Delivery:SendTimeout, which a send must finish within.</param>
    public static SmppChannelOptions Bind(IConfigurationSection section, TimeSpan sendTimeout, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(section);
        var path = section.Path;
        var errors = new List<string>();
        var options = new SmppChannelOptions();

        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Type", "PasswordFile", nameof(DefaultSender), nameof(LinkWaitTimeout) };
        known.UnionWith(typeof(SmppConnectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name));
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key))
            {
                errors.Add($"{child.Path} is not an SMPP channel setting.");
            }
        }

        Read(section, nameof(DefaultSender), errors, () => options.DefaultSender = section[nameof(DefaultSender)]);
        Read(section, nameof(LinkWaitTimeout), errors, () => options.LinkWaitTimeout = section.GetValue(nameof(LinkWaitTimeout), options.LinkWaitTimeout));
        foreach (var property in typeof(SmppConnectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            if (section.GetSection(property.Name).Value is not null)
            {
                Read(section, property.Name, errors, () => property.SetValue(options.Connection, section.GetValue(property.PropertyType, property.Name)));
            }
        }

        var passwordFile = section["PasswordFile"];
        if (string.IsNullOrEmpty(options.Connection.Password) && !string.IsNullOrEmpty(passwordFile))
        {
            if (File.Exists(passwordFile))
            {
                options.Connection.Password = File.ReadAllText(passwordFile).Trim();
            }
            else
            {
                errors.Add($"{path}:PasswordFile points at '{passwordFile}', which does not exist.");
            }
        }

        errors.AddRange(options.Connection.Validate().Select(e => $"{path}:{e}"));
        if (!string.IsNullOrEmpty(options.DefaultSender) && !SmppAddressing.TryGetSource(options.DefaultSender, options.Connection, out _))
        {
            errors.Add($"{path}:DefaultSender must be a number of at most 20 digits (a leading + allowed) or a name of 1 to 11 printable ASCII characters; got '{options.DefaultSender}'.");
        }

        if (options.LinkWaitTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:LinkWaitTimeout must be more than zero; got {Format(options.LinkWaitTimeout)}.");
        }
        else if (options.LinkWaitTimeout + options.Connection.ResponseTimeout >= sendTimeout)
        {
            errors.Add($"{path}:LinkWaitTimeout ({Format(options.LinkWaitTimeout)}) plus {path}:ResponseTimeout ({Format(options.Connection.ResponseTimeout)}) " +
                $"must be shorter than OpenTfa:Delivery:SendTimeout ({Format(sendTimeout)}), so that a send without a link ends as a temporary failure " +
                "rather than being cut off.");
        }

        problems = errors;
        return options;
    }

    private static void Read(IConfigurationSection section, string key, List<string> errors, Action read)
    {
        try
        {
            read();
        }
        catch (Exception e) when (e is InvalidOperationException or TargetInvocationException or FormatException or OverflowException)
        {
            var value = key.Contains("Password", StringComparison.OrdinalIgnoreCase) ? "(not shown)" : $"'{section[key]}'";
            errors.Add($"{section.Path}:{key} has a value that is not valid for this setting: {value}.");
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
