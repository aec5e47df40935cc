using System.Globalization;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// The segment ids of messages whose delivery state is already decided, so that their repeated
/// and late receipts are recognised and dropped. Each id is held as one 64-bit key, not as the
/// string with its aliases: two unrelated ids share a key only by chance, about once in 2^64 pairs.
/// Keys are kept in generations of a fixed size, dropped whole, so that remembering a node's
/// last <c>capacity</c> ids costs about 20 bytes each and never a large array that the garbage
/// collector must keep apart: an id is remembered for at least <c>keep</c> after its message was
/// accepted, and the newest <c>capacity</c> ids (at most one generation more) are.
/// Not thread-safe: <see cref="ReceiptMatcher"/> calls it under its lock.
/// </summary>
internal sealed class DecidedReceiptIds(TimeSpan keep, int capacity)
{
    // A set of 4096 keys keeps each of its arrays below the large object heap's 85 000 bytes.
    private readonly int _generationSize = Math.Clamp(capacity / 16, 1, 4096);
    private readonly Queue<Generation> _generations = new();
    private Generation? _newest;

    /// <summary>Segment ids remembered now.</summary>
    public int Count { get; private set; }

    public void Add(string segmentId, DateTimeOffset acceptedAt)
    {
        if (_newest is null || _newest.Keys.Count >= _generationSize)
        {
            _newest = new Generation(_generationSize);
            _generations.Enqueue(_newest);
        }

        if (_newest.Keys.Add(Key(segmentId)))
        {
            Count++;
        }

        _newest.NewestAcceptedAt = Math.Max(_newest.NewestAcceptedAt, acceptedAt.UtcTicks);
        while (Count - _generations.Peek().Keys.Count >= capacity)
        {
            ForgetOldest();
        }
    }

    /// <summary>Whether a receipt with this id belongs to a remembered segment, in either radix.</summary>
    public bool Matches(string receiptId)
    {
        if (Contains(Key(receiptId)))
        {
            return true;
        }

        // A decimal receipt id names the segment whose hex id has its value; a hex one (with a
        // letter) names the segment whose decimal id has its value.
        if (IsDecimal(receiptId) && ulong.TryParse(receiptId, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return Contains(Mix(value));
        }

        return ulong.TryParse(receiptId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) &&
            Contains(Key(value.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Forgets the generations whose every message was accepted more than <c>keep</c> before <paramref name="now"/>.</summary>
    public void Trim(DateTimeOffset now)
    {
        var oldest = (now - keep).UtcTicks;
        while (_generations.TryPeek(out var generation) && generation.NewestAcceptedAt < oldest)
        {
            ForgetOldest();
        }
    }

    private bool Contains(ulong key)
    {
        foreach (var generation in _generations)
        {
            if (generation.Keys.Contains(key))
            {
                return true;
            }
        }

        return false;
    }

    private void ForgetOldest()
    {
        var generation = _generations.Dequeue();
        Count -= generation.Keys.Count;
        if (ReferenceEquals(generation, _newest))
        {
            _newest = null;
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

    private sealed class Generation(int size)
    {
        public HashSet<ulong> Keys { get; } = new(size);

        public long NewestAcceptedAt { get; set; } = long.MinValue;
    }
}
