using System.Net;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Webhooks;

/// <summary>
/// Which URLs a tenant may point a webhook at. Unless the operator allows private networks,
/// the target must be a globally reachable address (<see cref="SpecialPurposeAddresses"/>) on
/// an allowed port: checked on the URL when it is saved, and again on every address the name
/// resolves to and on the port when a connection is made (so a name that later resolves to an
/// internal address is refused too). Redirects are never followed.
/// </summary>
public sealed class WebhookUrlPolicy(WebhookOptions options, OutboundConnector? connector = null)
{
    public const int MaxLength = 2048;

    private const string PrivateNetworksOff = "private networks are off: OpenTfa:Webhooks:AllowPrivateNetworks";

    private readonly OutboundConnector _connector = connector ?? new OutboundConnector();

    /// <summary>Why the URL cannot be used, or null when it can.</summary>
    public string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "is required";
        }

        if (url.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
        {
            return "must be an absolute https:// URL";
        }

        if (uri.Scheme == "http" && !options.AllowHttp)
        {
            return "must use https:// (plain http is off: OpenTfa:Webhooks:AllowHttp)";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry a user name or password";
        }

        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "must not have a #fragment";
        }

        if (options.AllowPrivateNetworks)
        {
            return null;
        }

        if (!AllowsPort(uri.Scheme, uri.Port))
        {
            return $"must use port {string.Join(", ", options.AllowedPorts)} (OpenTfa:Webhooks:AllowedPorts), not {uri.Port}";
        }

        string host = uri.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address))
        {
            return SpecialPurposeAddresses.RefusingBlock(address) is { } block
                ? $"must not target a non-public address ({block.Cidr}, {block.Name})"
                : null;
        }

        return SpecialPurposeAddresses.IsNonPublicName(host)
            ? "must name a public host (not localhost, a single-label or a .local/.internal name)"
            : null;
    }

    /// <summary>Whether an outbound connection to <paramref name="address"/> is allowed.</summary>
    public bool Allows(IPAddress address) => options.AllowPrivateNetworks || SpecialPurposeAddresses.IsGloballyReachable(address);

    /// <summary>
    /// Whether a connection to <paramref name="port"/> is allowed: the scheme's own port always
    /// (443, or 80 when plain http is on), any other only when listed in AllowedPorts.
    /// </summary>
    public bool AllowsPort(string scheme, int port) =>
        options.AllowPrivateNetworks
        || (scheme == "https" && port == 443)
        || (scheme == "http" && port == 80)
        || options.AllowedPorts.Contains(port);

    /// <summary>
    /// A handler for webhook POSTs: certificates validated (the default), no redirects, no
    /// proxy (the address check must see the real target), and a connect step that refuses
    /// every address and port this policy does not allow.
    /// </summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, cancellationToken) =>
        {
            string scheme = context.InitialRequestMessage.RequestUri?.Scheme ?? "https";
            int port = context.DnsEndPoint.Port;
            return AllowsPort(scheme, port)
                ? _connector.ConnectAsync(context.DnsEndPoint.Host, port, Allows, PrivateNetworksOff, cancellationToken)
                : throw new HttpRequestException($"port {port} is not allowed (OpenTfa:Webhooks:AllowedPorts)");
        },
    };
}
