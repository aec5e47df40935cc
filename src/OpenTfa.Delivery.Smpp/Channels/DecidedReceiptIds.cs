using System.Globalization;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// The segment ids of messages whose delivery state is already decided, so that their repeated
/// and late receipts are recognised and dropped. Each id is held as one 64-bit key, not as the
/// string with its aliases, so that remembering a node's last <c>capacity</c> segments costs a
/// few megabytes. Two unrelated ids share a key only by chance, about once in 2^64 pairs.
/// A segment is remembered for <c>keep</c> after its message was accepted, and only the newest
/// <c>capacity</c> segments are. Not thread-safe: <see cref="ReceiptMatcher"/> calls it under its lock.
/// </summary>
internal sealed class DecidedReceiptIds(TimeSpan keep, int capacity)
{
    // Key → how many remembered segments have it (an SMSC may reuse an id, or write it with
    // leading zeros), so that forgetting one leaves the others found.
    private readonly Dictionary<ulong, int> _keys = [];
    private readonly Queue<(long AcceptedAt, ulong Key)> _order = new();

    /// <summary>Segment ids remembered now.</summary>
    public int Count => _order.Count;

    public void Add(string segmentId, DateTimeOffset acceptedAt)
    {
        var key = Key(segmentId);
        _keys[key] = _keys.GetValueOrDefault(key) + 1;
        _order.Enqueue((acceptedAt.UtcTicks, key));
        while (_order.Count > capacity)
        {
            ForgetOldest();
        }
    }

    /// <summary>Whether a receipt with this id belongs to a remembered segment, in either radix.</summary>
    public bool Matches(string receiptId)
    {
        if (_keys.ContainsKey(Key(receiptId)))
        {
            return true;
        }

        // A decimal receipt id names the segment whose hex id has its value; a hex one (with a
        // letter) names the segment whose decimal id has its value.
        if (IsDecimal(receiptId) && ulong.TryParse(receiptId, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return _keys.ContainsKey(Mix(value));
        }

        return ulong.TryParse(receiptId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) &&
            _keys.ContainsKey(Key(value.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Forgets the segments of messages accepted more than <c>keep</c> before <paramref name="now"/>.</summary>
    public void Trim(DateTimeOffset now)
    {
        var oldest = (now - keep).UtcTicks;
        while (_order.TryPeek(out var entry) && entry.AcceptedAt < oldest)
        {
            ForgetOldest();
        }
    }

    private void ForgetOldest()
    {
        var key = _order.Dequeue().Key;
        if (_keys[key] == 1)
        {
            _keys.Remove(key);
        }
        else
        {
            _keys[key]--;
        }
    }

    // An id that reads as hex (as every decimal one does) is keyed by that value, so that a
    // receipt in the other radix finds it by number; any other id by its characters, in any case.
    private static ulong Key(string id) =>
        ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) ? Mix(value) : Hash(id);

    private static bool IsDecimal(string id) => id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit);

    // splitmix64's finaliser: every bit of the value moves every bit of the key.
    private static ulong Mix(ulong value)
    {
        unchecked
        {
            value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
            value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
            return value ^ (value >> 31);
        }
    }

    // FNV-1a over the upper-cased characters, then mixed: it meets a number's key only by chance.
    private static ulong Hash(string id)
    {
        unchecked
        {
            const ulong prime = 1099511628211UL;
            var hash = 14695981039346656037UL;
            foreach (var c in id)
            {
                hash = (hash ^ char.ToUpperInvariant(c)) * prime;
            }

            return Mix(hash);
        }
    }
}
