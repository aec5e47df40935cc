using OpenTfa.Core.Numbers;

namespace OpenTfa.Server.Errors;

/// <summary>
/// A request path as logs may show it: the one path that names a destination
/// (<c>…/destinations/{destination}/history</c>) shows it masked.
/// </summary>
internal static class LogPaths
{
    private const string Marker = "/destinations/";

    public static string Redact(PathString path)
    {
        string value = path.Value ?? string.Empty;
        int start = value.IndexOf(Marker, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return value;
        }

        start += Marker.Length;
        int end = value.IndexOf('/', start);
        end = end < 0 ? value.Length : end;
        string destination = Uri.UnescapeDataString(value[start..end]);
        return value[..start] + Destinations.Mask(destination) + value[end..];
    }
}
