namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// The accepted operations of busy limit keys (an application's send limit), kept in memory so
/// that counting a sliding window does not scan every event of the window in the database on
/// each request. Only the writer touches it, inside its transactions; the database stays the
/// record. Exact as long as this store is the only writer of the file: the writer checks that
/// at the start of every transaction (<c>PRAGMA data_version</c>) and starts afresh otherwise.
/// </summary>
internal sealed class LimitWindows
{
    /// <summary>Keys with fewer events in their window are counted in the database, which is cheap for them.</summary>
    public const int CacheThreshold = 32;

    /// <summary>
    /// Events this far before the newest window's start are kept: operations of one batch took
    /// their time before they queued, so one may ask about a window that starts a little earlier
    /// than the last one asked about, and must still be answered from memory.
    /// </summary>
    private const long SlackMs = 60_000;

    private const int MaxKeys = 10_000;
    private const int MaxEventsPerKey = 1_000_000;

    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly List<(string Key, long? At)> _undo = [];
    private long _uses;

    /// <summary>How many events of <paramref name="key"/> lie after <paramref name="since"/> (ms), if the key is held and covers that far back.</summary>
    public bool TryCount(string key, long since, out long count)
    {
        count = 0;
        if (!_windows.TryGetValue(key, out Window? window) || since < window.Coverage)
        {
            return false;
        }

        window.TrimTo(since - SlackMs);
        window.LastUse = ++_uses;
        count = window.CountAfter(since);
        return true;
    }

    /// <summary>Holds <paramref name="times"/>, every event of <paramref name="key"/> after <paramref name="since"/>, ascending.</summary>
    public void Load(string key, long since, List<long> times)
    {
        if (times.Count > MaxEventsPerKey)
        {
            return;
        }

        if (_windows.Count >= MaxKeys && !_windows.ContainsKey(key))
        {
            EvictLeastUsed();
        }

        _windows[key] = new Window(since, times) { LastUse = ++_uses };
        _undo.Add((key, null));
    }

    /// <summary>Records an accepted operation at <paramref name="at"/> (ms) for a held key.</summary>
    public void Record(string key, long at)
    {
        if (!_windows.TryGetValue(key, out Window? window))
        {
            return;
        }

        if (window.Count >= MaxEventsPerKey)
        {
            _windows.Remove(key);
            return;
        }

        window.Add(at);
        _undo.Add((key, at));
    }

    /// <summary>A transaction starts: what follows may have to be undone.</summary>
    public void Mark() => _undo.Clear();

    /// <summary>The transaction rolled back: forget what it recorded and the keys it loaded.</summary>
    public void RollBack()
    {
        for (int i = _undo.Count - 1; i >= 0; i--)
        {
            (string key, long? at) = _undo[i];
            if (at is null)
            {
                _windows.Remove(key);
            }
            else if (_windows.TryGetValue(key, out Window? window))
            {
                window.Remove(at.Value);
            }
        }

        _undo.Clear();
    }

    /// <summary>Forgets everything (a transaction failed as a whole, or another connection wrote).</summary>
    public void Clear()
    {
        _windows.Clear();
        _undo.Clear();
    }

    private void EvictLeastUsed()
    {
        long[] uses = _windows.Values.Select(w => w.LastUse).Order().ToArray();
        long cut = uses[uses.Length / 2];
        foreach (string key in _windows.Where(p => p.Value.LastUse <= cut).Select(p => p.Key).ToList())
        {
            _windows.Remove(key);
        }
    }

    /// <summary>Event times after <see cref="Coverage"/>, ascending, from <see cref="_head"/> on.</summary>
    private sealed class Window(long coverage, List<long> times)
    {
        private readonly List<long> _times = times;
        private int _head;

        public long Coverage { get; private set; } = coverage;

        public long LastUse { get; set; }

        public int Count => _times.Count - _head;

        /// <summary>How many held events lie after <paramref name="since"/>.</summary>
        public int CountAfter(long since)
        {
            int low = _head, high = _times.Count;
            while (low < high)
            {
                int middle = low + ((high - low) / 2);
                if (_times[middle] <= since)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return _times.Count - low;
        }

        /// <summary>Forgets the events at or before <paramref name="cut"/>.</summary>
        public void TrimTo(long cut)
        {
            if (cut <= Coverage)
            {
                return;
            }

            while (_head < _times.Count && _times[_head] <= cut)
            {
                _head++;
            }

            Coverage = cut;
            if (_head > 1024 && _head > _times.Count / 2)
            {
                _times.RemoveRange(0, _head);
                _head = 0;
            }
        }

        public void Add(long at)
        {
            if (at <= Coverage)
            {
                return;
            }

            if (Count == 0 || _times[^1] <= at)
            {
                _times.Add(at);
                return;
            }

            int index = _times.BinarySearch(_head, Count, at, null);
            _times.Insert(index < 0 ? ~index : index, at);
        }

        public void Remove(long at)
        {
            int index = _times.BinarySearch(_head, Count, at, null);
            if (index >= 0)
            {
                _times.RemoveAt(index);
            }
        }
    }
}
