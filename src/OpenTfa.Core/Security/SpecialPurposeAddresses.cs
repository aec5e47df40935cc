using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Core.Security;

/// <summary>How an outbound connection treats an address inside a <see cref="SpecialPurposeBlock"/>.</summary>
public enum SpecialPurposeRule
{
    /// <summary>Never a target: the block is not globally reachable.</summary>
    Refused,

    /// <summary>The last 32 bits are an IPv4 address, and the address is judged as that IPv4 address.</summary>
    EmbedsIPv4,
}

/// <summary>One block of the table: its CIDR, the name its registry gives it, and the rule.</summary>
public sealed class SpecialPurposeBlock
{
    private readonly byte[] _network;

    internal SpecialPurposeBlock(string cidr, string name, SpecialPurposeRule rule = SpecialPurposeRule.Refused)
    {
        Cidr = cidr;
        Name = name;
        Rule = rule;
        string[] parts = cidr.Split('/');
        Network = IPAddress.Parse(parts[0]);
        PrefixLength = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        _network = Network.GetAddressBytes();
    }

    public string Cidr { get; }

    public string Name { get; }

    public SpecialPurposeRule Rule { get; }

    public IPAddress Network { get; }

    public int PrefixLength { get; }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        byte[] bytes = address.GetAddressBytes();
        int whole = PrefixLength / 8;
        for (int i = 0; i < whole; i++)
        {
            if (bytes[i] != _network[i])
            {
                return false;
            }
        }

        int rest = PrefixLength % 8;
        if (rest == 0)
        {
            return true;
        }

        int mask = 0xFF << (8 - rest) & 0xFF;
        return (bytes[whole] & mask) == (_network[whole] & mask);
    }

    public override string ToString() => $"{Cidr} ({Name})";
}

/// <summary>
/// The one table of addresses OpenTfa never connects to on a tenant's behalf: every block the
/// IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) mark as not
/// globally reachable, plus multicast, the reserved 240.0.0.0/4, limited broadcast, the
/// deprecated IPv4-compatible and site-local IPv6 ranges, and the two tunnelling prefixes
/// 6to4 and Teredo. An address outside every block is globally reachable.
/// </summary>
/// <remarks>
/// Blocks the registries mark globally reachable (AS112, AMT, the PCP and TURN anycast
/// addresses, ORCHIDv2, …) are not listed, so their addresses pass, except where a larger
/// listed block holds them (192.0.0.0/24 and 2001::/23 are refused whole: no webhook or
/// gateway lives there). 6to4 (2002::/16) and Teredo (2001::/32, inside 2001::/23) are refused
/// outright rather than judged by the IPv4 address they embed: both are tunnels, never the
/// address of a normal server, and judging the embedded address would still let the relay
/// that carries the traffic be chosen by whoever controls the name.
/// IPv4-mapped addresses and the well-known NAT64 prefix are judged by the IPv4 address they
/// carry, as that is where the packets go.
/// </remarks>
public static class SpecialPurposeAddresses
{
    /// <summary>Every block, IPv4 first; each test of the policy runs over this list.</summary>
    public static IReadOnlyList<SpecialPurposeBlock> Blocks { get; } =
    [
        // IANA IPv4 Special-Purpose Address Registry: the blocks not globally reachable.
        new("0.0.0.0/8", "\"This network\""),
        new("10.0.0.0/8", "Private-Use"),
        new("100.64.0.0/10", "Shared Address Space"),
        new("127.0.0.0/8", "Loopback"),
        new("169.254.0.0/16", "Link Local"),
        new("172.16.0.0/12", "Private-Use"),
        new("192.0.0.0/24", "IETF Protocol Assignments"),
        new("192.0.2.0/24", "Documentation (TEST-NET-1)"),
        new("192.88.99.0/24", "Deprecated (6to4 Relay Anycast)"),
        new("192.168.0.0/16", "Private-Use"),
        new("198.18.0.0/15", "Benchmarking"),
        new("198.51.100.0/24", "Documentation (TEST-NET-2)"),
        new("203.0.113.0/24", "Documentation (TEST-NET-3)"),
        new("240.0.0.0/4", "Reserved"),
        new("255.255.255.255/32", "Limited Broadcast"),

        // IANA IPv4 Multicast Address Space Registry.
        new("224.0.0.0/4", "Multicast"),

        // IANA IPv6 Special-Purpose Address Registry: the blocks not globally reachable, and
        // the two that carry an IPv4 address.
        new("::/128", "Unspecified Address"),
        new("::1/128", "Loopback Address"),
        new("::ffff:0:0/96", "IPv4-mapped Address", SpecialPurposeRule.EmbedsIPv4),
        new("64:ff9b::/96", "IPv4-IPv6 Translat.", SpecialPurposeRule.EmbedsIPv4),
        new("64:ff9b:1::/48", "IPv4-IPv6 Translat. (local-use)"),
        new("100::/64", "Discard-Only Address Block"),
        new("100:0:0:1::/64", "Dummy IPv6 Prefix"),
        new("2001::/23", "IETF Protocol Assignments"),
        new("2001::/32", "TEREDO"),
        new("2001:2::/48", "Benchmarking"),
        new("2001:10::/28", "Deprecated (previously ORCHID)"),
        new("2001:db8::/32", "Documentation"),
        new("2002::/16", "6to4"),
        new("3fff::/20", "Documentation"),
        new("5f00::/16", "Segment Routing (SRv6) SIDs"),
        new("fc00::/7", "Unique-Local"),
        new("fe80::/10", "Link-Local Unicast"),

        // Deprecated ranges no stack should route (RFC 4291 section 2.5.5.1, RFC 3879), and
        // IPv6 multicast (RFC 4291 section 2.7).
        new("::/96", "IPv4-Compatible IPv6 Address (deprecated)"),
        new("fec0::/10", "Site-Local Unicast (deprecated)"),
        new("ff00::/8", "Multicast"),
    ];

    /// <summary>
    /// True for a host name that cannot be a public DNS name: <c>localhost</c>, a single label
    /// (resolved through search domains or the hosts file), or a name under the special-use
    /// suffixes <c>.localhost</c>, <c>.local</c>, <c>.internal</c> and <c>.home.arpa</c>.
    /// </summary>
    public static bool IsNonPublicName(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host = host.TrimEnd('.');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || !host.Contains('.', StringComparison.Ordinal)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".home.arpa", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when a connection to <paramref name="address"/> stays on the public internet.</summary>
    public static bool IsGloballyReachable(IPAddress address) => RefusingBlock(address) is null;

    /// <summary>The block that makes <paramref name="address"/> not globally reachable, or null when none does.</summary>
    public static SpecialPurposeBlock? RefusingBlock(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return new SpecialPurposeBlock("0.0.0.0/0", "not an IP address");
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            // A scope id only means something on a link; strip it so the bytes decide.
            address = new IPAddress(address.GetAddressBytes());
        }

        foreach (SpecialPurposeBlock block in Blocks)
        {
            if (!block.Contains(address))
            {
                continue;
            }

            if (block.Rule == SpecialPurposeRule.Refused)
            {
                return block;
            }

            var embedded = new IPAddress(address.GetAddressBytes()[12..]);
            return RefusingBlock(embedded);
        }

        return null;
    }
}
