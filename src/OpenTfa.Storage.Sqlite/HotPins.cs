using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using OpenTfa.Core.Pins;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// The PINs the writer issued or verified lately, as it last committed them, so that a verify
/// reads its PIN from memory and its one store step only appends the change. Only the writer's
/// operations use it, one after the other: what an operation changes is staged, seen by the
/// operations after it in the same transaction, and held once the transaction commits; a
/// rollback drops what was staged. A statement that changes <c>pins</c> in any other way (a
/// resend, a workflow step, a cancel, pruning), a transaction that failed as a whole, or another
/// connection's commit (another process on the file) retires every PIN held, and the next verify
/// of each reads it from the database again.
/// </summary>
internal sealed partial class HotPins
{
    /// <summary>
    /// About 600 bytes each, so a few megabytes. The oldest go first: a PIN is verified soon after
    /// it is sent, and one that has left is read from the database again.
    /// </summary>
    private const int MaxEntries = 8_192;

    private static readonly ConcurrentDictionary<string, bool> Changing = new(StringComparer.Ordinal);

    private readonly Dictionary<string, PinRecord> _held = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Dictionary<string, PinRecord> _staged = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="sql"/> changes <c>pins</c> other than through the statements that keep this class true.</summary>
    public static bool Retires(string sql)
    {
        if (Changing.TryGetValue(sql, out bool retires))
        {
            return retires;
        }

        retires = sql is not SqlitePinStore.InsertPin and not SqlitePinStore.VerifyUpdate
            && !sql.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            && PinsTable().IsMatch(sql);
        if (Changing.Count < 4096)
        {
            Changing.TryAdd(sql, retires);
        }

        return retires;
    }

    public bool TryGet(string pinId, out PinRecord pin) =>
        _staged.TryGetValue(pinId, out pin!) || _held.TryGetValue(pinId, out pin!);

    /// <summary>Holds <paramref name="pin"/> as the current transaction leaves it, once that commits.</summary>
    public void Stage(PinRecord pin) => _staged[pin.Id] = pin;

    public void Commit()
    {
        foreach (PinRecord pin in _staged.Values)
        {
            if (_held.TryAdd(pin.Id, pin))
            {
                _order.Enqueue(pin.Id);
            }
            else
            {
                _held[pin.Id] = pin;
            }
        }

        _staged.Clear();
        while (_held.Count > MaxEntries)
        {
            _held.Remove(_order.Dequeue());
        }
    }

    public void RollBack() => _staged.Clear();

    public void Clear()
    {
        _staged.Clear();
        _held.Clear();
        _order.Clear();
    }

    [GeneratedRegex(@"\bpins\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PinsTable();
}
