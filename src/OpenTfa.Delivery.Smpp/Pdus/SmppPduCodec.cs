using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>Turns PDUs into frames and frames into PDUs.</summary>
public static class SmppPduCodec
{
    public static byte[] Encode(SmppPdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var writer = new PduWriter();
        writer.WriteUInt32(0);
        writer.WriteUInt32((uint)pdu.CommandId);
        writer.WriteUInt32(pdu.CommandStatus);
        writer.WriteUInt32(pdu.SequenceNumber);
        pdu.WriteBody(writer);
        foreach (var tlv in pdu.Tlvs)
        {
            writer.WriteTlv(tlv);
        }

        writer.WriteUInt32At(0, (uint)writer.Length);
        return writer.ToArray();
    }

    /// <summary>Reads the header fields without decoding the body.</summary>
    public static (uint CommandLength, SmppCommandId CommandId, uint CommandStatus, uint SequenceNumber) ReadHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < SmppPdu.HeaderLength)
        {
            throw new SmppProtocolException($"An SMPP PDU is at least {SmppPdu.HeaderLength} octets; got {frame.Length}.");
        }

        return (
            BinaryPrimitives.ReadUInt32BigEndian(frame),
            (SmppCommandId)BinaryPrimitives.ReadUInt32BigEndian(frame[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(frame[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(frame[12..]));
    }

    /// <summary>
    /// Decodes one whole frame. Commands this library does not implement come back as
    /// <see cref="UnknownPdu"/>; a malformed body throws <see cref="SmppProtocolException"/>.
    /// </summary>
    public static SmppPdu Decode(ReadOnlySpan<byte> frame)
    {
        var (length, commandId, status, sequence) = ReadHeader(frame);
        if (length != frame.Length)
        {
            throw new SmppProtocolException($"command_length is {length} but the frame holds {frame.Length} octets.");
        }

        var pdu = Create(commandId);
        pdu.CommandStatus = status;
        pdu.SequenceNumber = sequence;

        var reader = new PduReader(frame[SmppPdu.HeaderLength..]);
        pdu.ReadBody(ref reader);
        ReadTlvs(ref reader, pdu);
        return pdu;
    }

    private static void ReadTlvs(ref PduReader reader, SmppPdu pdu)
    {
        while (!reader.AtEnd)
        {
            if (reader.Remaining < 4)
            {
                throw new SmppProtocolException(
                    $"{reader.Remaining} stray octets after the mandatory parameters.",
                    SmppCommandStatus.ESME_RINVOPTPARSTREAM);
            }

            var tag = reader.ReadUInt16("tlv tag");
            var length = reader.ReadUInt16("tlv length");
            if (length > reader.Remaining)
            {
                throw new SmppProtocolException(
                    $"TLV 0x{tag:X4} claims {length} octets but only {reader.Remaining} remain.",
                    SmppCommandStatus.ESME_RINVOPTPARSTREAM);
            }

            pdu.Tlvs.Add(new SmppTlv(tag, reader.ReadBytes(length, "tlv value")));
        }
    }

    private static SmppPdu Create(SmppCommandId commandId) => commandId switch
    {
        SmppCommandId.BindTransmitter => new BindPdu(SmppBindType.Transmitter),
        SmppCommandId.BindReceiver => new BindPdu(SmppBindType.Receiver),
        SmppCommandId.BindTransceiver => new BindPdu(SmppBindType.Transceiver),
        SmppCommandId.BindTransmitterResp => new BindRespPdu(SmppBindType.Transmitter),
        SmppCommandId.BindReceiverResp => new BindRespPdu(SmppBindType.Receiver),
        SmppCommandId.BindTransceiverResp => new BindRespPdu(SmppBindType.Transceiver),
        SmppCommandId.SubmitSm => new SubmitSm(),
        SmppCommandId.SubmitSmResp => new SubmitSmResp(),
        SmppCommandId.DeliverSm => new DeliverSm(),
        SmppCommandId.DeliverSmResp => new DeliverSmResp(),
        SmppCommandId.EnquireLink => new EnquireLink(),
        SmppCommandId.EnquireLinkResp => new EnquireLinkResp(),
        SmppCommandId.Unbind => new Unbind(),
        SmppCommandId.UnbindResp => new UnbindResp(),
        SmppCommandId.GenericNack => new GenericNack(),
        _ => new UnknownPdu(commandId),
    };
}
