namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>
/// An optional parameter (tag, length, value). Every TLV of a decoded PDU is kept in
/// arrival order, known or not, so nothing the SMSC sent is lost.
/// </summary>
public sealed class SmppTlv
{
    public SmppTlv(ushort tag, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value.Length, "A TLV value is at most 65535 octets.");
        }

        Tag = tag;
        Value = value;
    }

    public ushort Tag { get; }

    public byte[] Value { get; }
}

/// <summary>Tags of the optional parameters this library reads or writes (SMPP 3.4 section 5.3.2).</summary>
public static class SmppTlvTag
{
    public const ushort DestAddrSubunit = 0x0005;
    public const ushort SourcePort = 0x020A;
    public const ushort DestinationPort = 0x020B;
    public const ushort SarMsgRefNum = 0x020C;
    public const ushort SarTotalSegments = 0x020E;
    public const ushort SarSegmentSeqnum = 0x020F;
    public const ushort ScInterfaceVersion = 0x0210;
    public const ushort ReceiptedMessageId = 0x001E;
    public const ushort UserMessageReference = 0x0204;
    public const ushort NetworkErrorCode = 0x0423;
    public const ushort MessagePayload = 0x0424;
    public const ushort DeliveryFailureReason = 0x0425;
    public const ushort MessageState = 0x0427;
}
