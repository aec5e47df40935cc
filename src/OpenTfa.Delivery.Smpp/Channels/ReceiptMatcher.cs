using System.Globalization;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>One final receipt, reduced to what the outbox records.</summary>
internal readonly record struct ReceiptOutcome(bool Delivered, string? Error, DateTimeOffset? DoneAt, DateTimeOffset ReceivedAt);

/// <summary>
/// Turns the SMSC's per-segment receipts into one delivery state per message, in memory and per
/// node. A message is known by the id of its first segment (what the outbox stores); it is
/// delivered when every segment is, and failed as soon as one segment fails. A receipt whose id
/// is not known yet (it overtook the submit_sm_resp, or the message went out before a restart or
/// from another node) is held for <see cref="Hold"/> in case its submission completes, then passed
/// on under its own id, for the store to match. Ids are also matched in their other radix, for
/// SMSCs that answer submit_sm in hex and write receipts in decimal (or the reverse).
/// A message awaiting its receipts is kept whole for <c>keep</c> after its submission (the newest
/// <c>capacity</c> of them). Once its state is decided, only a 64-bit key per segment id stays,
/// as long, so that its repeated and late receipts are still dropped (<see cref="DecidedReceiptIds"/>):
/// a busy node's last <c>capacity</c> messages cost a few megabytes, not their ids, aliases and
/// outcomes for days.
/// </summary>
internal sealed class ReceiptMatcher(TimeSpan hold, TimeSpan keep, int capacity = 100_000)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Group> _bySegment = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly LinkedList<Group> _awaiting = new();
    private readonly DecidedReceiptIds _decided = new(keep, capacity);
    private readonly Dictionary<string, ReceiptOutcome> _early = new(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Hold => hold;

    /// <summary>The SMSC accepted every segment of a message; returns the state to record if receipts were already waiting.</summary>
    public DeliveryReport? Accepted(IReadOnlyList<string> segmentIds, DateTimeOffset now)
    {
        lock (_gate)
        {
            var group = new Group(segmentIds.ToArray(), now);
            foreach (var id in group.Ids)
            {
                _bySegment[id] = group;
                foreach (var alias in AliasKeys(id))
                {
                    _aliases.TryAdd(alias, id);
                }
            }

            group.Node = _awaiting.AddLast(group);
            Trim(now);

            DeliveryReport? report = null;
            for (var i = 0; i < group.Ids.Length; i++)
            {
                if (TakeEarly(group.Ids[i]) is { } outcome)
                {
                    report = Apply(group, i, outcome) ?? report;
                }
            }

            return report;
        }
    }

    /// <summary>A final receipt arrived; returns the state to record now, if any.</summary>
    public DeliveryReport? Received(string messageId, ReceiptOutcome outcome)
    {
        lock (_gate)
        {
            if (Find(messageId) is { } found)
            {
                return Apply(found.Group, found.Index, outcome);
            }

            if (_decided.Matches(messageId))
            {
                // A repeated receipt, or a later segment's after one failed: the state is recorded.
                return null;
            }

            _early[messageId] = outcome;
            return null;
        }
    }

    /// <summary>Receipts held longer than <see cref="Hold"/> (all of them when <paramref name="all"/>), passed on under their own id.</summary>
    public IReadOnlyList<DeliveryReport> Expire(DateTimeOffset now, bool all = false)
    {
        lock (_gate)
        {
            var due = _early.Where(e => all || now - e.Value.ReceivedAt >= hold).ToList();
            foreach (var entry in due)
            {
                _early.Remove(entry.Key);
            }

            Trim(now);
            return due.Select(e => new DeliveryReport(e.Key, e.Value.Delivered ? MessageState.Delivered : MessageState.Failed, e.Value.Error,
                e.Value.DoneAt ?? e.Value.ReceivedAt)).ToList();
        }
    }

    /// <summary>Receipts waiting for their submission to complete.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _early.Count;
            }
        }
    }

    /// <summary>Submitted messages whose receipts have not decided their state yet.</summary>
    public int Awaiting
    {
        get
        {
            lock (_gate)
            {
                return _awaiting.Count;
            }
        }
    }

    /// <summary>Segment ids of decided messages still remembered, to drop their late receipts.</summary>
    public int Decided
    {
        get
        {
            lock (_gate)
            {
                return _decided.Count;
            }
        }
    }

    private ReceiptOutcome? TakeEarly(string id)
    {
        if (_early.Remove(id, out var outcome))
        {
            return outcome;
        }

        foreach (var key in _early.Keys)
        {
            var alias = Counterpart(key);
            if (alias is not null && _aliases.TryGetValue(alias, out var target) && string.Equals(target, id, StringComparison.OrdinalIgnoreCase) &&
                _early.Remove(key, out outcome))
            {
                return outcome;
            }
        }

        return null;
    }

    private (Group Group, int Index)? Find(string messageId)
    {
        if (!_bySegment.TryGetValue(messageId, out var group))
        {
            // A receipt id in the other radix names the segment whose id reads as the same number.
            var alias = Counterpart(messageId);
            if (alias is null || !_aliases.TryGetValue(alias, out var id) || !_bySegment.TryGetValue(id, out group))
            {
                return null;
            }

            messageId = id;
        }

        var index = Array.FindIndex(group.Ids, i => string.Equals(i, messageId, StringComparison.OrdinalIgnoreCase));
        return (group, index);
    }

    private DeliveryReport? Apply(Group group, int index, ReceiptOutcome outcome)
    {
        if (group.Decided)
        {
            return null;
        }

        group.Outcomes[index] = outcome;
        var at = Clamp(outcome, group.AcceptedAt);
        if (!outcome.Delivered)
        {
            Decide(group);
            return new DeliveryReport(group.Ids[0], MessageState.Failed, outcome.Error, at);
        }

        if (group.Outcomes.All(o => o is { Delivered: true }))
        {
            Decide(group);
            var last = group.Outcomes.Max(o => Clamp(o!.Value, group.AcceptedAt));
            return new DeliveryReport(group.Ids[0], MessageState.Delivered, null, last);
        }

        return null;
    }

    // From here on its ids only serve to drop its late receipts.
    private void Decide(Group group)
    {
        group.Decided = true;
        Forget(group);
        foreach (var id in group.Ids)
        {
            _decided.Add(id, group.AcceptedAt);
        }
    }

    // The SMSC's done date has minute precision and its clock is not ours: keep it between the
    // submission and the moment the receipt arrived.
    private static DateTimeOffset Clamp(ReceiptOutcome outcome, DateTimeOffset acceptedAt)
    {
        var at = outcome.DoneAt ?? outcome.ReceivedAt;
        if (at > outcome.ReceivedAt)
        {
            at = outcome.ReceivedAt;
        }

        return at < acceptedAt ? (acceptedAt <= outcome.ReceivedAt ? acceptedAt : outcome.ReceivedAt) : at;
    }

    private void Trim(DateTimeOffset now)
    {
        while (_awaiting.First is { } oldest && (_awaiting.Count > capacity || now - oldest.Value.AcceptedAt > keep))
        {
            Forget(oldest.Value);
        }

        _decided.Trim(now);
        while (_early.Count > capacity)
        {
            _early.Remove(_early.MinBy(e => e.Value.ReceivedAt).Key);
        }
    }

    private void Forget(Group group)
    {
        if (group.Node is { } node)
        {
            _awaiting.Remove(node);
            group.Node = null;
        }

        foreach (var id in group.Ids)
        {
            if (_bySegment.TryGetValue(id, out var current) && ReferenceEquals(current, group))
            {
                _bySegment.Remove(id);
            }

            foreach (var alias in AliasKeys(id))
            {
                if (_aliases.TryGetValue(alias, out var target) && string.Equals(target, id, StringComparison.OrdinalIgnoreCase))
                {
                    _aliases.Remove(alias);
                }
            }
        }
    }

    // Keys under which a submit_sm_resp id is found by a receipt written in the other radix:
    // "d:<value>" for a hex id (matched by a decimal receipt id), "x:<value>" for a decimal one.
    private static IEnumerable<string> AliasKeys(string id)
    {
        if (ulong.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            yield return "d:" + hex.ToString(CultureInfo.InvariantCulture);
        }

        if (IsDecimal(id) && ulong.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var dec))
        {
            yield return "x:" + dec.ToString(CultureInfo.InvariantCulture);
        }
    }

    // The alias key a receipt id would match: a decimal receipt id matches a hex submit id of the
    // same value; a hex one (with a letter) matches a decimal submit id.
    private static string? Counterpart(string receiptId)
    {
        if (IsDecimal(receiptId) && ulong.TryParse(receiptId, NumberStyles.None, CultureInfo.InvariantCulture, out var dec))
        {
            return "d:" + dec.ToString(CultureInfo.InvariantCulture);
        }

        return ulong.TryParse(receiptId, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex)
            ? "x:" + hex.ToString(CultureInfo.InvariantCulture)
            : null;
    }

    private static bool IsDecimal(string id) => id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit);

    private sealed class Group(string[] ids, DateTimeOffset acceptedAt)
    {
        public string[] Ids { get; } = ids;

        public ReceiptOutcome?[] Outcomes { get; } = new ReceiptOutcome?[ids.Length];

        public DateTimeOffset AcceptedAt { get; } = acceptedAt;

        public bool Decided { get; set; }

        public LinkedListNode<Group>? Node { get; set; }
    }
}
