using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Walks the <c>OpenTfa</c> section against the public properties of the option classes: a key
/// that no property has is refused with the nearest valid name, and a value that cannot become
/// its property's type is refused before the binder sees it. Dictionaries take any key
/// (<c>OpenTfa:Channels:&lt;name&gt;</c>, <c>OpenTfa:Routes:Applications:&lt;id&gt;</c>), lists take
/// positions (<c>OpenTfa:TrustedProxies:0</c>), and each channel is checked against the option
/// classes of its <c>Type</c>. Keys outside <c>OpenTfa</c> (ASP.NET Core's own) are not checked.
/// </summary>
internal sealed class UnknownSettings
{
    private readonly Dictionary<string, IChannelFactory> _factories;

    private UnknownSettings(IEnumerable<IChannelFactory> factories) =>
        _factories = factories.GroupBy(f => f.Type, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Names that no setting has, and channel types that do not exist.</summary>
    public List<string> Unknown { get; } = [];

    /// <summary>Values the binder could not convert: with any of these, the options cannot be bound at all.</summary>
    public List<string> Unreadable { get; } = [];

    public static UnknownSettings Check(IConfigurationSection root, IEnumerable<IChannelFactory> factories)
    {
        var check = new UnknownSettings(factories);
        check.Walk(root, Settings(typeof(OpenTfaOptions)), "an OpenTfa setting");
        return check;
    }

    private void Walk(IConfigurationSection section, Dictionary<string, PropertyInfo?> settings, string what)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!settings.TryGetValue(child.Key, out PropertyInfo? property))
            {
                Unknown.Add($"{child.Path} is not {what}; {Suggest(section, child.Key, settings)}");
            }
            else if (property is not null)
            {
                CheckValue(child, property.PropertyType);
            }
        }
    }

    private void CheckValue(IConfigurationSection node, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(ChannelOptions))
        {
            CheckChannel(node);
        }
        else if (IsScalar(type))
        {
            CheckScalar(node, type);
        }
        else if ((ItemType(type, typeof(IDictionary<,>)) ?? ItemType(type, typeof(IReadOnlyDictionary<,>))) is { } valueType)
        {
            foreach (IConfigurationSection entry in node.GetChildren())
            {
                CheckValue(entry, valueType);
            }
        }
        else if (ItemType(type, typeof(IEnumerable<>)) is { } itemType)
        {
            foreach (IConfigurationSection item in node.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    Unknown.Add($"{item.Path} is not a list position: the items of {node.Path} are numbered ({node.Path}:0, {node.Path}:1, …)");
                }
                else
                {
                    CheckValue(item, itemType);
                }
            }
        }
        else
        {
            Walk(node, Settings(type), "an OpenTfa setting");
        }
    }

    private void CheckScalar(IConfigurationSection node, Type type)
    {
        if (node.GetChildren().Any())
        {
            Unreadable.Add($"{node.Path} is one value, not a section: {string.Join(", ", node.GetChildren().Select(c => c.Path))} cannot be set");
            return;
        }

        string? value = node.Value;
        if (string.IsNullOrEmpty(value) || type == typeof(string) || Converts(value, type))
        {
            return;
        }

        string expected = type switch
        {
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss, or d.hh:mm:ss)",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number such as 0.5",
            _ when type == typeof(byte) => "a whole number from 0 to 255",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(Uri) => "a URL",
            _ => "a whole number",
        };
        Unreadable.Add($"{node.Path} must be {expected}; got '{SecretRedaction.Value(node.Path, value)}'");
    }

    private static bool Converts(string value, Type type)
    {
        if (type.IsEnum)
        {
            // The binder would also take a number or a comma list; a setting names one member.
            return Enum.TryParse(type, value, ignoreCase: true, out object? member) && Enum.IsDefined(type, member) && !char.IsAsciiDigit(value.TrimStart('-')[0]);
        }

        try
        {
            return TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value) is not null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private void CheckChannel(IConfigurationSection channel)
    {
        string? type = channel["Type"];
        if (string.IsNullOrWhiteSpace(type) || !_factories.TryGetValue(type, out IChannelFactory? factory))
        {
            string near = Nearest(type ?? string.Empty, _factories.Keys) is { } guess ? $" (did you mean {guess}?)" : string.Empty;
            Unknown.Add(string.IsNullOrWhiteSpace(type)
                ? $"{channel.Path}:Type is required: use one of {TypeList()}"
                : $"{channel.Path}:Type '{type}' is not a channel type{near}: use one of {TypeList()}");
            return;
        }

        if (factory.SettingTypes is not { } types)
        {
            return;
        }

        Dictionary<string, PropertyInfo?> settings = new(StringComparer.OrdinalIgnoreCase) { ["Type"] = null };
        foreach (Type optionsType in types)
        {
            foreach ((string name, PropertyInfo? property) in Settings(optionsType))
            {
                settings.TryAdd(name, property);
            }

            foreach (string secret in ChannelSettings.SecretSettings(optionsType))
            {
                settings.TryAdd(secret + "File", null);
            }
        }

        Walk(channel, settings, $"a setting of the {factory.Type} channel");
    }

    private string TypeList() => string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));

    /// <summary>What the operator may have meant, as a full setting path; else which settings there are.</summary>
    private static string Suggest(IConfigurationSection section, string key, Dictionary<string, PropertyInfo?> settings)
    {
        if (Nearest(key, settings.Keys) is { } near)
        {
            return $"did you mean {section.Path}:{near}?";
        }

        // A setting put one level too high, such as OpenTfa:Provider for OpenTfa:Storage:Provider.
        string? deeper = settings
            .Where(s => s.Value is not null && !IsScalar(s.Value.PropertyType) && ItemType(s.Value.PropertyType, typeof(IEnumerable<>)) is null)
            .SelectMany(s => Settings(s.Value!.PropertyType).Keys.Where(k => Nearest(key, [k]) is not null).Select(k => $"{section.Path}:{s.Key}:{k}"))
            .FirstOrDefault();
        return deeper is not null
            ? $"did you mean {deeper}?"
            : $"the settings of {section.Path} are {string.Join(", ", settings.Keys.Order(StringComparer.Ordinal))}";
    }

    /// <summary>The closest name within a few typing mistakes, compared without case.</summary>
    private static string? Nearest(string key, IEnumerable<string> names)
    {
        int allowed = Math.Clamp(key.Length / 3, 1, 3);
        return names
            .Select(n => (Name: n, Distance: Distance(key.ToUpperInvariant(), n.ToUpperInvariant())))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Edits (insert, delete, replace, swap two neighbours) that turn one name into the other.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The settings of an options class: public properties the binder can fill, that is with a
    /// public setter, or read-only but holding a section or a collection it binds into.
    /// </summary>
    private static Dictionary<string, PropertyInfo?> Settings(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true } && (p.SetMethod is { IsPublic: true } || !IsScalar(p.PropertyType)))
            .GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (PropertyInfo?)g.First(), StringComparer.OrdinalIgnoreCase);

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri)
            || type == typeof(DateTimeOffset) || type == typeof(DateTime);
    }

    /// <summary>The value type of a dictionary, or the item type of a list or array.</summary>
    private static Type? ItemType(Type type, Type generic)
    {
        if (generic == typeof(IEnumerable<>) && type.IsArray)
        {
            return type.GetElementType();
        }

        Type? match = type.IsGenericType && type.GetGenericTypeDefinition() == generic
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == generic);
        return match?.GetGenericArguments()[^1];
    }
}
