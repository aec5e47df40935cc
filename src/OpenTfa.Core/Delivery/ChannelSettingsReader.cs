using System.Globalization;
using Microsoft.Extensions.Configuration;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// Reads one channel section and collects every problem with the setting's full path, so that
/// start-up names all bad settings at once. Secret values are never echoed.
/// </summary>
public sealed class ChannelSettingsReader(IConfigurationSection section)
{
    private readonly HashSet<string> known = new(StringComparer.OrdinalIgnoreCase) { "Type" };

    public List<string> Problems { get; } = [];

    public string Path => section.Path;

    public string? String(string key)
    {
        known.Add(key);
        string? value = section[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string? Required(string key)
    {
        string? value = String(key);
        if (value is null)
        {
            Problems.Add($"{section.Path}:{key} is required.");
        }

        return value;
    }

    /// <summary>A secret given inline as <c>key</c> or as a path in <c>keyFile</c>.</summary>
    public string? Secret(string key)
    {
        known.Add(key);
        known.Add(key + "File");
        string? inline = section[key];
        string? file = section[key + "File"];
        if (!string.IsNullOrEmpty(inline))
        {
            return inline;
        }

        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        if (!File.Exists(file))
        {
            Problems.Add($"{section.Path}:{key}File points at '{file}', which does not exist.");
            return null;
        }

        return File.ReadAllText(file).Trim();
    }

    public int Int(string key, int fallback, int min, int max)
    {
        known.Add(key);
        string? value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) || parsed < min || parsed > max)
        {
            Problems.Add($"{section.Path}:{key} must be a whole number from {min} to {max}; got '{SecretRedaction.Value(key, value)}'.");
            return fallback;
        }

        return parsed;
    }

    public bool Bool(string key, bool fallback)
    {
        known.Add(key);
        string? value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!bool.TryParse(value, out bool parsed))
        {
            Problems.Add($"{section.Path}:{key} must be true or false; got '{SecretRedaction.Value(key, value)}'.");
            return fallback;
        }

        return parsed;
    }

    public TimeSpan Duration(string key, TimeSpan fallback)
    {
        known.Add(key);
        string? value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out TimeSpan parsed) || parsed <= TimeSpan.Zero)
        {
            Problems.Add($"{section.Path}:{key} must be a positive duration such as 00:00:20; got '{SecretRedaction.Value(key, value)}'.");
            return fallback;
        }

        return parsed;
    }

    public TEnum Enum<TEnum>(string key, TEnum fallback)
        where TEnum : struct, Enum
    {
        known.Add(key);
        string? value = section[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!System.Enum.TryParse(value, ignoreCase: true, out TEnum parsed) || !System.Enum.IsDefined(parsed) || int.TryParse(value, out _))
        {
            Problems.Add($"{section.Path}:{key} must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}; got '{SecretRedaction.Value(key, value)}'.");
            return fallback;
        }

        return parsed;
    }

    /// <summary>An absolute http or https URL; a path is kept, a trailing slash removed.</summary>
    public Uri? Url(string key, string? fallback = null, bool required = false)
    {
        string? value = String(key) ?? fallback;
        if (value is null)
        {
            if (required)
            {
                Problems.Add($"{section.Path}:{key} is required.");
            }

            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            Problems.Add($"{section.Path}:{key} must be an absolute http or https URL without credentials or fragment; got '{SecretRedaction.Value(key, value)}'.");
            return null;
        }

        return uri;
    }

    /// <summary>The children of a sub-section as a dictionary (for example extra headers).</summary>
    public Dictionary<string, string> Map(string key)
    {
        known.Add(key);
        return section.GetSection(key).GetChildren()
            .Where(c => c.Value is not null)
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Flags settings this channel type does not have (usually a typo).</summary>
    public void RejectUnknown(string type)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (!known.Contains(child.Key))
            {
                Problems.Add($"{child.Path} is not a setting of the {type} channel.");
            }
        }
    }

    public void ThrowIfInvalid(string type, string name)
    {
        if (Problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"Invalid settings for the {type} channel '{name}':" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", Problems));
        }
    }
}
