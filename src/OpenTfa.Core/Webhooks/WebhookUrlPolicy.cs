using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Core.Webhooks;

/// <summary>
/// Which URLs a tenant may point a webhook at. Unless the operator allows private networks,
/// the target must be a public address: checked on the URL when it is saved, and again on
/// every address the name resolves to when a connection is made (so a name that later
/// resolves to an internal address is refused too). Redirects are never followed.
/// </summary>
public sealed class WebhookUrlPolicy(WebhookOptions options)
{
    public const int MaxLength = 2048;

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

        string host = uri.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address))
        {
            return IsPublic(address) ? null : "must not target a loopback, private or link-local address";
        }

        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
            || !host.Contains('.', StringComparison.Ordinal)
            ? "must name a public host (not localhost, a single-label or a .local/.internal name)"
            : null;
    }

    /// <summary>Whether an outbound connection to <paramref name="address"/> is allowed.</summary>
    public bool Allows(IPAddress address) => options.AllowPrivateNetworks || IsPublic(address);

    /// <summary>True for globally routable unicast addresses; false for loopback, private, link-local, shared, reserved and multicast ranges.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            byte[] b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 198 && b[1] is 18 or 19)
                || (b[0] == 198 && b[1] == 51 && b[2] == 100)
                || (b[0] == 203 && b[1] == 0 && b[2] == 113));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        byte[] v6 = address.GetAddressBytes();
        bool uniqueLocal = (v6[0] & 0xFE) == 0xFC;
        bool documentation = v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0D && v6[3] == 0xB8;
        bool nat64 = v6[0] == 0 && v6[1] == 0x64 && v6[2] == 0xFF && v6[3] == 0x9B;
        return !uniqueLocal && !documentation && !(nat64 && !IsPublic(new IPAddress(v6[12..])));
    }

    /// <summary>
    /// A handler for webhook POSTs: certificates validated (the default), no redirects, no
    /// proxy (the address check must see the real target), and a connect step that refuses
    /// every address this policy does not allow.
    /// </summary>
    public SocketsHttpHandler CreateHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            IPAddress[] addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out IPAddress? literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            IPAddress? allowed = addresses.FirstOrDefault(Allows);
            if (allowed is null)
            {
                throw new HttpRequestException(addresses.Length == 0
                    ? $"{context.DnsEndPoint.Host} has no address"
                    : $"{context.DnsEndPoint.Host} resolves to no public address (private networks are off: OpenTfa:Webhooks:AllowPrivateNetworks)");
            }

            var socket = new Socket(allowed.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
