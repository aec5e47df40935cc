using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Core.Tenancy;

/// <summary>
/// Slows down key guessing without ever refusing a valid key: failed authentications are
/// counted per client address (an IPv6 address by its /64, which one client usually holds
/// whole) and per presented key id, and a client over the limit gets 429 instead of 401 for
/// its next wrong keys. The caller asks <see cref="Blocked"/> only after a key failed.
/// </summary>
/// <remarks>
/// The counts live in a fixed table of <see cref="Slots"/> sliding-minute counters chosen by a
/// per-process randomised hash, so memory is bounded however many addresses an attacker
/// has, and no entry is ever cleared early: two clients that share a slot only share a limit
/// on their failures. Each counter is the usual two-window estimate of a sliding minute.
/// </remarks>
public sealed class AuthFailureThrottle
{
    public const int Slots = 1 << 16;
    private const int LockStripes = 64;
    private const long WindowMs = 60_000;

    private readonly TimeProvider _time;
    private readonly int _max;
    private readonly Counter[] _counters = new Counter[Slots];
    private readonly object[] _locks = Enumerable.Range(0, LockStripes).Select(_ => new object()).ToArray();

    public AuthFailureThrottle(TimeProvider time, int maxFailuresPerMinute = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFailuresPerMinute, 1);
        _time = time;
        _max = maxFailuresPerMinute;
    }

    /// <summary>How long until the client may fail again without being refused, or null when it may now.</summary>
    public TimeSpan? Blocked(string address, string? keyId)
    {
        TimeSpan? byAddress = BlockedFor(SlotOf("a:" + ClientOf(address)));
        TimeSpan? byKey = keyId is null ? null : BlockedFor(SlotOf("k:" + keyId));
        return byAddress is null ? byKey : byKey is null ? byAddress : (byAddress > byKey ? byAddress : byKey);
    }

    public void RecordFailure(string address, string? keyId)
    {
        Add(SlotOf("a:" + ClientOf(address)));
        if (keyId is not null)
        {
            Add(SlotOf("k:" + keyId));
        }
    }

    /// <summary>The unit that is counted: an IPv4 address, or the /64 network of an IPv6 address.</summary>
    public static string ClientOf(string address)
    {
        if (!IPAddress.TryParse(address, out IPAddress? ip))
        {
            return address;
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            return ip.MapToIPv4().ToString();
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        byte[] bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static int SlotOf(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % Slots);

    private TimeSpan? BlockedFor(int slot)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long window = now / WindowMs;
        long elapsed = now % WindowMs;
        Counter c;
        lock (_locks[slot % LockStripes])
        {
            c = _counters[slot];
        }

        (long current, long previous) = c.Window == window ? (c.Current, c.Previous) : c.Window == window - 1 ? (0, c.Current) : (0, 0);
        if ((previous * (WindowMs - elapsed)) + (current * WindowMs) < _max * WindowMs)
        {
            return null;
        }

        // The estimate falls below the limit once enough of the previous window has slid out;
        // with the current window alone at the limit, that happens only in the next window.
        long wait = current < _max
            ? WindowMs - ((_max - current) * WindowMs / previous) + 1 - elapsed
            : WindowMs - elapsed + WindowMs - (_max * WindowMs / current) + 1;
        return TimeSpan.FromSeconds(Math.Max(1, (wait + 999) / 1000));
    }

    private void Add(int slot)
    {
        long window = _time.GetUtcNow().ToUnixTimeMilliseconds() / WindowMs;
        lock (_locks[slot % LockStripes])
        {
            Counter c = _counters[slot];
            _counters[slot] = c.Window == window ? c with { Current = c.Current + 1 }
                : new Counter(window, 1, c.Window == window - 1 ? c.Current : 0);
        }
    }

    private readonly record struct Counter(long Window, int Current, int Previous);
}
