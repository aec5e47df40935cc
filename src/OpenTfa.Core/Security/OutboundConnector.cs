using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Core.Security;

/// <summary>
/// Opens the TCP connection of an outbound HTTP request only to addresses a policy allows,
/// after resolving the name itself: the check and the connection use the same addresses, so
/// a name that resolves to a public address when checked and to an internal one when used
/// (DNS rebinding) cannot slip through.
/// </summary>
public sealed class OutboundConnector
{
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <param name="resolve">Name resolution; the system resolver unless a test replaces it.</param>
    public OutboundConnector(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null) =>
        _resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>
    /// Connects to the first address of <paramref name="host"/> that <paramref name="allows"/>
    /// accepts and that answers, trying them in the resolver's order; throws
    /// <see cref="HttpRequestException"/> naming the refused block when none is allowed.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(string host, int port, Func<IPAddress, bool> allows, string refusal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(allows);
        IPAddress[] addresses = IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false);
        IPAddress[] allowed = addresses.Where(allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(addresses.Length == 0
                ? $"{host} has no address"
                : $"{host} resolves to no allowed address ({Describe(addresses[0])}); {refusal}");
        }

        SocketException? last = null;
        foreach (IPAddress address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException(last!.Message, last);
    }

    /// <summary>The registry name of the block an address falls in, never the address itself.</summary>
    private static string Describe(IPAddress address) =>
        SpecialPurposeAddresses.RefusingBlock(address) is { } block ? $"a {block.Name} address" : "a public address";
}
