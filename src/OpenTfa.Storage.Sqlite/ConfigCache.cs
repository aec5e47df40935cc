using System.Collections.Concurrent;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// Rows that nearly every request reads and that rarely change (applications, templates,
/// e-mail bodies, protection policies, pumping-guard blocks), answered from memory. Any transaction that touched
/// one of their tables moves the generation on before its callers hear back, which retires
/// every entry; an entry also retires after a second, which bounds what a writer outside
/// this store (another process on the file) can leave stale.
/// </summary>
internal sealed class ConfigCache
{
    /// <summary>The tables whose rows are held; a statement naming one of them invalidates the cache.</summary>
    private static readonly string[] Tables = ["applications", "templates", "email_bodies", "protection_policies", "guard_blocks"];
    private static readonly ConcurrentDictionary<string, bool> Touching = new(StringComparer.Ordinal);

    private const int MaxEntries = 50_000;
    private const long MaxAgeMs = 1_000;

    private readonly ConcurrentDictionary<(string Kind, string A, string B, string C), Entry> _entries = new();
    private long _generation;

    public long Generation => Volatile.Read(ref _generation);

    /// <summary>Whether <paramref name="sql"/> may change a held row.</summary>
    public static bool Touches(string sql)
    {
        if (Touching.TryGetValue(sql, out bool touches))
        {
            return touches;
        }

        touches = Tables.Any(t => sql.Contains(t, StringComparison.OrdinalIgnoreCase));
        if (Touching.Count < 4096)
        {
            Touching.TryAdd(sql, touches);
        }

        return touches;
    }

    public void Invalidate() => Interlocked.Increment(ref _generation);

    public bool TryGet<T>((string Kind, string A, string B, string C) key, out T? value)
        where T : class
    {
        if (_entries.TryGetValue(key, out Entry? entry) && entry.Generation == Generation && Environment.TickCount64 - entry.At < MaxAgeMs)
        {
            value = (T?)entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Holds <paramref name="value"/>, read after <paramref name="generation"/> was current, unless a change has come since.</summary>
    public void Put((string Kind, string A, string B, string C) key, object? value, long generation)
    {
        if (generation != Generation)
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(value, generation, Environment.TickCount64);
    }

    private sealed record Entry(object? Value, long Generation, long At);
}
