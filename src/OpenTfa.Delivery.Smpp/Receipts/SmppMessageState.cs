namespace OpenTfa.Delivery.Smpp.Receipts;

/// <summary>
/// A message's state as a delivery receipt reports it. The numbers are the message_state
/// TLV values of SMPP 3.4 section 5.2.28; the receipt text names are in brackets.
/// </summary>
public enum SmppMessageState
{
    /// <summary>On its way (ENROUTE): an intermediate notification, not final.</summary>
    Enroute = 1,

    /// <summary>Delivered to the handset (DELIVRD).</summary>
    Delivered = 2,

    /// <summary>Validity period ran out before delivery (EXPIRED).</summary>
    Expired = 3,

    /// <summary>Deleted before delivery (DELETED).</summary>
    Deleted = 4,

    /// <summary>Could not be delivered (UNDELIV).</summary>
    Undeliverable = 5,

    /// <summary>Accepted on behalf of the subscriber, e.g. by customer service (ACCEPTD).</summary>
    Accepted = 6,

    /// <summary>The SMSC does not know, or the receipt named no state this library knows (UNKNOWN).</summary>
    Unknown = 7,

    /// <summary>Refused by the network (REJECTD).</summary>
    Rejected = 8,
}

public static class SmppMessageStates
{
    /// <summary>Every state but <see cref="SmppMessageState.Enroute"/> ends the message's life.</summary>
    public static bool IsFinal(this SmppMessageState state) => state != SmppMessageState.Enroute;

    /// <summary>The state for a receipt's stat: field; case and the long spellings are tolerated.</summary>
    public static SmppMessageState FromStat(string? stat) => stat?.Trim().ToUpperInvariant() switch
    {
        "DELIVRD" or "DELIVERED" => SmppMessageState.Delivered,
        "EXPIRED" => SmppMessageState.Expired,
        "DELETED" => SmppMessageState.Deleted,
        "UNDELIV" or "UNDELIVERABLE" => SmppMessageState.Undeliverable,
        "ACCEPTD" or "ACCEPTED" => SmppMessageState.Accepted,
        "REJECTD" or "REJECTED" => SmppMessageState.Rejected,
        "ENROUTE" => SmppMessageState.Enroute,
        _ => SmppMessageState.Unknown,
    };

    /// <summary>The state for a message_state TLV value; values outside 1–8 read as Unknown.</summary>
    public static SmppMessageState FromMessageStateTlv(byte value) =>
        value is >= 1 and <= 8 ? (SmppMessageState)value : SmppMessageState.Unknown;
}
