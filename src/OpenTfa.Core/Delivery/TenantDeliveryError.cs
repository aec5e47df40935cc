using System.Net;
using System.Text.RegularExpressions;

namespace OpenTfa.Core.Delivery;

/// <summary>
/// The text of a message's delivery error as a tenant sees it. The stored error is written for
/// the operator and names the gateways it tried (URLs, host names, addresses and ports of the
/// operator's network); a tenant gets the same text with those removed, so that it still says
/// what went wrong (refused, unreachable, timed out, the provider's status) without mapping
/// the operator's infrastructure. Every path that shows an error to a tenant goes through
/// <see cref="From"/>: the message endpoints, the destination history and webhook payloads.
/// </summary>
public static partial class TenantDeliveryError
{
    /// <summary>What a URL becomes.</summary>
    public const string Gateway = "the gateway";

    /// <summary>What an address, a host name or a host:port pair becomes.</summary>
    public const string Host = "[host]";

    /// <summary>The tenant's text for <paramref name="error"/>; null stays null.</summary>
    public static string? From(string? error)
    {
        if (string.IsNullOrEmpty(error))
        {
            return error;
        }

        string text = Url().Replace(error, Gateway);
        text = BracketedIPv6().Replace(text, Host);
        text = IPv6Candidate().Replace(text, m => IPAddress.TryParse(m.Value.TrimEnd('.'), out _) ? Host + m.Value[m.Value.TrimEnd('.').Length..] : m.Value);
        text = IPv4().Replace(text, Host);
        text = HostName().Replace(text, Host);
        text = HostAndPort().Replace(text, Host);
        return text;
    }

    /// <summary>A URL, not counting the punctuation after it (<c>could not reach http://host:9: refused</c>).</summary>
    [GeneratedRegex(@"\b[a-z][a-z0-9+.\-]*://[^\s;,()<>""']*[^\s;,()<>""'.:]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    [GeneratedRegex(@"\[[0-9a-f:.%a-z]*:[0-9a-f:.%a-z]*\](:\d{1,5})?", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BracketedIPv6();

    /// <summary>Hex digits, dots and at least two colons; kept unless it parses as an address (so a time of day stays).</summary>
    [GeneratedRegex(@"(?<![\w:.])[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*(?:%\w+)?(?![\w:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IPv6Candidate();

    [GeneratedRegex(@"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(:\d{1,5})?(?!\w|\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex IPv4();

    /// <summary>A dotted name ending in a letter label (not a number such as 1.5), and localhost; not the domain of an e-mail address, which is the tenant's own.</summary>
    [GeneratedRegex(@"(?<![\w.@\-])(?:localhost|(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9\-]{0,61}[a-z0-9])(:\d{1,5})?(?![\w\-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostName();

    /// <summary>A single-label name with a port, as socket errors print it: <c>(gateway:13013)</c>.</summary>
    [GeneratedRegex(@"(?<![\w.:\-])[a-z0-9][a-z0-9\-]{0,62}:\d{1,5}(?![\w:])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostAndPort();
}
