using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>The body shared by submit_sm and deliver_sm (SMPP 3.4 sections 4.4.1 and 4.6.1).</summary>
public abstract class ShortMessagePdu : SmppPdu
{
    /// <summary>sm_length is one octet, and 255 is reserved: short_message holds at most 254 octets.</summary>
    public const int MaxShortMessageLength = 254;

    protected ShortMessagePdu(SmppCommandId commandId)
        : base(commandId)
    {
    }

    public string ServiceType { get; set; } = string.Empty;

    public byte SourceAddrTon { get; set; }

    public byte SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public byte DestAddrTon { get; set; }

    public byte DestAddrNpi { get; set; }

    public string DestinationAddr { get; set; } = string.Empty;

    public byte EsmClass { get; set; }

    public byte ProtocolId { get; set; }

    public byte PriorityFlag { get; set; }

    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte ReplaceIfPresentFlag { get; set; }

    public byte DataCoding { get; set; }

    public byte SmDefaultMsgId { get; set; }

    public byte[] ShortMessage { get; set; } = [];

    /// <summary>esm_class bit 6: short_message starts with a user data header.</summary>
    public bool HasUserDataHeader => (EsmClass & EsmClasses.UserDataHeaderIndicator) != 0;

    /// <summary>esm_class message type 0x04: an SMSC delivery receipt.</summary>
    public bool IsDeliveryReceipt => (EsmClass & EsmClasses.DeliveryReceipt) != 0;

    /// <summary>message_payload TLV (0x0424): the message when it is not in short_message.</summary>
    public byte[]? MessagePayload
    {
        get => FindTlv(SmppTlvTag.MessagePayload)?.Value;
        set
        {
            if (value is null)
            {
                RemoveTlv(SmppTlvTag.MessagePayload);
            }
            else
            {
                SetTlv(SmppTlvTag.MessagePayload, value);
            }
        }
    }

    /// <summary>receipted_message_id TLV (0x001E): the SMSC message id a receipt is about.</summary>
    public string? ReceiptedMessageId
    {
        get => GetTlvCString(SmppTlvTag.ReceiptedMessageId);
        set => SetTlvCString(SmppTlvTag.ReceiptedMessageId, value);
    }

    /// <summary>message_state TLV (0x0427) of a receipt.</summary>
    public byte? MessageState
    {
        get => GetTlvByte(SmppTlvTag.MessageState);
        set => SetTlvByte(SmppTlvTag.MessageState, value);
    }

    /// <summary>network_error_code TLV (0x0423): network type (1 ANSI-136, 2 IS-95, 3 GSM, …) and its error code.</summary>
    public (byte NetworkType, ushort ErrorCode)? NetworkErrorCode
    {
        get
        {
            var tlv = FindTlv(SmppTlvTag.NetworkErrorCode);
            return tlv is { Value.Length: >= 3 }
                ? (tlv.Value[0], BinaryPrimitives.ReadUInt16BigEndian(tlv.Value.AsSpan(1)))
                : null;
        }
        set
        {
            if (value is null)
            {
                RemoveTlv(SmppTlvTag.NetworkErrorCode);
                return;
            }

            var bytes = new byte[3];
            bytes[0] = value.Value.NetworkType;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), value.Value.ErrorCode);
            SetTlv(SmppTlvTag.NetworkErrorCode, bytes);
        }
    }

    /// <summary>sar_msg_ref_num TLV (0x020C): concatenation reference when segments use TLVs instead of a UDH.</summary>
    public ushort? SarMsgRefNum
    {
        get => GetTlvUInt16(SmppTlvTag.SarMsgRefNum);
        set => SetTlvUInt16(SmppTlvTag.SarMsgRefNum, value);
    }

    /// <summary>sar_total_segments TLV (0x020E).</summary>
    public byte? SarTotalSegments
    {
        get => GetTlvByte(SmppTlvTag.SarTotalSegments);
        set => SetTlvByte(SmppTlvTag.SarTotalSegments, value);
    }

    /// <summary>sar_segment_seqnum TLV (0x020F), 1-based.</summary>
    public byte? SarSegmentSeqnum
    {
        get => GetTlvByte(SmppTlvTag.SarSegmentSeqnum);
        set => SetTlvByte(SmppTlvTag.SarSegmentSeqnum, value);
    }

    internal override void WriteBody(PduWriter writer)
    {
        if (ShortMessage.Length > MaxShortMessageLength)
        {
            throw new InvalidOperationException(
                $"short_message holds at most {MaxShortMessageLength} octets; got {ShortMessage.Length}. Use message_payload for more.");
        }

        writer.WriteCString(ServiceType, 6, "service_type");
        writer.WriteByte(SourceAddrTon);
        writer.WriteByte(SourceAddrNpi);
        writer.WriteCString(SourceAddr, 21, "source_addr");
        writer.WriteByte(DestAddrTon);
        writer.WriteByte(DestAddrNpi);
        writer.WriteCString(DestinationAddr, 21, "destination_addr");
        writer.WriteByte(EsmClass);
        writer.WriteByte(ProtocolId);
        writer.WriteByte(PriorityFlag);
        writer.WriteCString(ScheduleDeliveryTime, 17, "schedule_delivery_time");
        writer.WriteCString(ValidityPeriod, 17, "validity_period");
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(ReplaceIfPresentFlag);
        writer.WriteByte(DataCoding);
        writer.WriteByte(SmDefaultMsgId);
        writer.WriteByte((byte)ShortMessage.Length);
        writer.WriteBytes(ShortMessage);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(6, "service_type");
        SourceAddrTon = reader.ReadByte("source_addr_ton");
        SourceAddrNpi = reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString(21, "source_addr");
        DestAddrTon = reader.ReadByte("dest_addr_ton");
        DestAddrNpi = reader.ReadByte("dest_addr_npi");
        DestinationAddr = reader.ReadCString(21, "destination_addr");
        EsmClass = reader.ReadByte("esm_class");
        ProtocolId = reader.ReadByte("protocol_id");
        PriorityFlag = reader.ReadByte("priority_flag");
        ScheduleDeliveryTime = reader.ReadCString(17, "schedule_delivery_time");
        ValidityPeriod = reader.ReadCString(17, "validity_period");
        RegisteredDelivery = reader.ReadByte("registered_delivery");
        ReplaceIfPresentFlag = reader.ReadByte("replace_if_present_flag");
        DataCoding = reader.ReadByte("data_coding");
        SmDefaultMsgId = reader.ReadByte("sm_default_msg_id");
        var length = reader.ReadByte("sm_length");
        if (length > MaxShortMessageLength)
        {
            throw new SmppProtocolException($"sm_length {length} is over {MaxShortMessageLength}.", SmppCommandStatus.ESME_RINVMSGLEN);
        }

        ShortMessage = reader.ReadBytes(length, "short_message");
    }
}

/// <summary>submit_sm: a message from the ESME to the SMSC.</summary>
public sealed class SubmitSm() : ShortMessagePdu(SmppCommandId.SubmitSm);

/// <summary>deliver_sm: a mobile-originated message or a delivery receipt from the SMSC.</summary>
public sealed class DeliverSm() : ShortMessagePdu(SmppCommandId.DeliverSm);

/// <summary>submit_sm_resp: the SMSC's message_id for an accepted submit_sm.</summary>
public sealed class SubmitSmResp : SmppPdu
{
    public SubmitSmResp()
        : base(SmppCommandId.SubmitSmResp)
    {
    }

    /// <summary>The SMSC's id for the message; empty when the answer was an error.</summary>
    public string MessageId { get; set; } = string.Empty;

    internal override void WriteBody(PduWriter writer) => writer.WriteCString(MessageId, 65, "message_id");

    internal override void ReadBody(ref PduReader reader) => MessageId = reader.ReadCStringOrEmpty(65, "message_id");
}

/// <summary>deliver_sm_resp: message_id is unused in SMPP 3.4 and sent as NUL.</summary>
public sealed class DeliverSmResp : SmppPdu
{
    public DeliverSmResp()
        : base(SmppCommandId.DeliverSmResp)
    {
    }

    public string MessageId { get; set; } = string.Empty;

    internal override void WriteBody(PduWriter writer) => writer.WriteCString(MessageId, 65, "message_id");

    internal override void ReadBody(ref PduReader reader) => MessageId = reader.ReadCStringOrEmpty(65, "message_id");
}

/// <summary>esm_class bits used by this library (SMPP 3.4 section 5.2.12).</summary>
public static class EsmClasses
{
    /// <summary>Message type: SMSC delivery receipt (deliver_sm).</summary>
    public const byte DeliveryReceipt = 0x04;

    /// <summary>GSM feature: UDHI, short_message starts with a user data header.</summary>
    public const byte UserDataHeaderIndicator = 0x40;
}
