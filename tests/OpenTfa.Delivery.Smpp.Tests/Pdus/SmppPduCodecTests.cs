using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp.Tests.Pdus;

public class SmppPduCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    private static T RoundTrip<T>(T pdu)
        where T : SmppPdu
    {
        var bytes = SmppPduCodec.Encode(pdu);
        var decoded = SmppPduCodec.Decode(bytes);
        Assert.Equal(bytes, SmppPduCodec.Encode(decoded));
        return Assert.IsType<T>(decoded);
    }

    [Fact]
    public void Encode_EnquireLink_MatchesSpecificationBytes()
    {
        var pdu = new EnquireLink { SequenceNumber = 1 };

        Assert.Equal(Hex("00000010 00000015 00000000 00000001"), SmppPduCodec.Encode(pdu));
    }

    [Fact]
    public void Encode_BindTransmitter_MatchesHandAssembledBytes()
    {
        // Octets assembled by hand from the field table of SMPP 3.4 section 4.1.1.
        var pdu = new BindPdu(SmppBindType.Transmitter)
        {
            SequenceNumber = 1,
            SystemId = "SMPP3TEST",
            Password = "secret08",
            SystemType = "SUBMIT1",
            AddrTon = 1,
            AddrNpi = 1,
        };

        var expected = Hex(
            "0000002F 00000002 00000000 00000001" +
            "534D50503354455354 00" +   // SMPP3TEST
            "7365637265743038 00" +     // secret08
            "5355424D495431 00" +       // SUBMIT1
            "34 01 01 00");             // interface_version, addr_ton, addr_npi, address_range

        Assert.Equal(expected, SmppPduCodec.Encode(pdu));
    }

    [Fact]
    public void Decode_SubmitSmResp_ReadsMessageId()
    {
        var bytes = Hex("00000019 80000004 00000000 00000007 3132333435363738 00");

        var pdu = Assert.IsType<SubmitSmResp>(SmppPduCodec.Decode(bytes));

        Assert.Equal("12345678", pdu.MessageId);
        Assert.Equal(7u, pdu.SequenceNumber);
        Assert.True(pdu.IsResponse);
    }

    [Fact]
    public void Decode_SubmitSmRespWithErrorAndNoBody_ReadsEmptyMessageId()
    {
        var bytes = Hex("00000010 80000004 00000058 00000003");

        var pdu = Assert.IsType<SubmitSmResp>(SmppPduCodec.Decode(bytes));

        Assert.Equal(SmppCommandStatus.ESME_RTHROTTLED, pdu.CommandStatus);
        Assert.Equal(string.Empty, pdu.MessageId);
    }

    [Fact]
    public void Decode_BindRespWithErrorAndNoBody_ReadsStatus()
    {
        var bytes = Hex("00000010 80000009 0000000E 00000001");

        var pdu = Assert.IsType<BindRespPdu>(SmppPduCodec.Decode(bytes));

        Assert.Equal(SmppBindType.Transceiver, pdu.BindType);
        Assert.Equal(SmppCommandStatus.ESME_RINVPASWD, pdu.CommandStatus);
        Assert.Equal(string.Empty, pdu.SystemId);
    }

    [Fact]
    public void Encode_SubmitSm_MatchesHandAssembledBytes()
    {
        var pdu = new SubmitSm
        {
            SequenceNumber = 2,
            SourceAddrTon = 5,
            SourceAddrNpi = 0,
            SourceAddr = "Info",
            DestAddrTon = 1,
            DestAddrNpi = 1,
            DestinationAddr = "4179",
            RegisteredDelivery = 1,
            ShortMessage = [0x48, 0x69],
        };

        var expected = Hex(
            "0000002B 00000004 00000000 00000002" +
            "00" +                 // service_type
            "05 00 496E666F 00" +  // source
            "01 01 34313739 00" +  // destination
            "00 00 00" +           // esm_class, protocol_id, priority_flag
            "00 00" +              // schedule_delivery_time, validity_period
            "01 00 00 00" +        // registered_delivery, replace_if_present, data_coding, sm_default_msg_id
            "02 4869");            // sm_length, short_message

        Assert.Equal(expected, SmppPduCodec.Encode(pdu));
    }

    [Fact]
    public void RoundTrip_BindTransceiver_KeepsEveryField()
    {
        var pdu = RoundTrip(new BindPdu(SmppBindType.Transceiver)
        {
            SequenceNumber = 42,
            SystemId = "opentfa",
            Password = "secret",
            SystemType = "OTP",
            AddrTon = 2,
            AddrNpi = 3,
            AddressRange = "^41",
        });

        Assert.Equal(SmppCommandId.BindTransceiver, pdu.CommandId);
        Assert.Equal(("opentfa", "secret", "OTP", (byte)0x34, (byte)2, (byte)3, "^41"), (pdu.SystemId, pdu.Password, pdu.SystemType, pdu.InterfaceVersion, pdu.AddrTon, pdu.AddrNpi, pdu.AddressRange));
    }

    [Theory]
    [InlineData(SmppBindType.Transmitter, SmppCommandId.BindTransmitter)]
    [InlineData(SmppBindType.Receiver, SmppCommandId.BindReceiver)]
    [InlineData(SmppBindType.Transceiver, SmppCommandId.BindTransceiver)]
    public void RoundTrip_EveryBindType_KeepsItsCommandId(SmppBindType type, SmppCommandId commandId)
    {
        var pdu = RoundTrip(new BindPdu(type) { SystemId = "a" });

        Assert.Equal(commandId, pdu.CommandId);
        Assert.Equal(type, pdu.BindType);
    }

    [Theory]
    [InlineData(SmppBindType.Transmitter, SmppCommandId.BindTransmitterResp)]
    [InlineData(SmppBindType.Receiver, SmppCommandId.BindReceiverResp)]
    [InlineData(SmppBindType.Transceiver, SmppCommandId.BindTransceiverResp)]
    public void RoundTrip_BindResp_KeepsSystemIdAndInterfaceVersion(SmppBindType type, SmppCommandId commandId)
    {
        var pdu = RoundTrip(new BindRespPdu(type) { SequenceNumber = 9, SystemId = "SMSC", ScInterfaceVersion = 0x34 });

        Assert.Equal(commandId, pdu.CommandId);
        Assert.Equal("SMSC", pdu.SystemId);
        Assert.Equal((byte)0x34, pdu.ScInterfaceVersion);
    }

    [Fact]
    public void RoundTrip_SubmitSm_KeepsEveryFieldAndTlv()
    {
        var pdu = RoundTrip(new SubmitSm
        {
            SequenceNumber = 0x7FFFFFFF,
            ServiceType = "CMT",
            SourceAddrTon = 1,
            SourceAddrNpi = 1,
            SourceAddr = "41790000000",
            DestAddrTon = 1,
            DestAddrNpi = 1,
            DestinationAddr = "41791234567",
            EsmClass = 0x40,
            ProtocolId = 0,
            PriorityFlag = 1,
            ScheduleDeliveryTime = "000000000100000R",
            ValidityPeriod = "000001000000000R",
            RegisteredDelivery = 1,
            ReplaceIfPresentFlag = 0,
            DataCoding = 8,
            SmDefaultMsgId = 0,
            ShortMessage = [5, 0, 3, 1, 2, 1, 0, 0x41],
            SarMsgRefNum = 0x1234,
            SarTotalSegments = 2,
            SarSegmentSeqnum = 1,
        });

        Assert.Equal("CMT", pdu.ServiceType);
        Assert.Equal("41791234567", pdu.DestinationAddr);
        Assert.Equal("000001000000000R", pdu.ValidityPeriod);
        Assert.True(pdu.HasUserDataHeader);
        Assert.Equal(new byte[] { 5, 0, 3, 1, 2, 1, 0, 0x41 }, pdu.ShortMessage);
        Assert.Equal((ushort)0x1234, pdu.SarMsgRefNum);
        Assert.Equal((byte)2, pdu.SarTotalSegments);
        Assert.Equal((byte)1, pdu.SarSegmentSeqnum);
    }

    [Fact]
    public void RoundTrip_SubmitSmWithMessagePayload_KeepsPayload()
    {
        var payload = Enumerable.Range(0, 600).Select(i => (byte)i).ToArray();

        var pdu = RoundTrip(new SubmitSm { DestinationAddr = "1", MessagePayload = payload });

        Assert.Empty(pdu.ShortMessage);
        Assert.Equal(payload, pdu.MessagePayload);
    }

    [Fact]
    public void RoundTrip_DeliverSmReceipt_KeepsReceiptTlvs()
    {
        var pdu = RoundTrip(new DeliverSm
        {
            SequenceNumber = 5,
            SourceAddr = "41791234567",
            DestinationAddr = "InfoSMS",
            EsmClass = EsmClasses.DeliveryReceipt,
            ShortMessage = System.Text.Encoding.ASCII.GetBytes("id:1 stat:DELIVRD"),
            ReceiptedMessageId = "ABC123",
            MessageState = 2,
            NetworkErrorCode = (3, 0x0101),
        });

        Assert.True(pdu.IsDeliveryReceipt);
        Assert.Equal("ABC123", pdu.ReceiptedMessageId);
        Assert.Equal((byte)2, pdu.MessageState);
        Assert.Equal(((byte)3, (ushort)0x0101), pdu.NetworkErrorCode);
    }

    [Fact]
    public void Decode_DeliverSmWithUnknownTlv_PreservesItInOrder()
    {
        var deliver = new DeliverSm { SequenceNumber = 1, ShortMessage = [0x41] };
        deliver.Tlvs.Add(new SmppTlv(0x1401, [0xDE, 0xAD]));
        deliver.ReceiptedMessageId = "X";
        var bytes = SmppPduCodec.Encode(deliver);

        var pdu = Assert.IsType<DeliverSm>(SmppPduCodec.Decode(bytes));

        Assert.Equal([(ushort)0x1401, SmppTlvTag.ReceiptedMessageId], pdu.Tlvs.Select(t => t.Tag));
        Assert.Equal(new byte[] { 0xDE, 0xAD }, pdu.FindTlv(0x1401)!.Value);
        Assert.Equal("X", pdu.ReceiptedMessageId);
    }

    [Fact]
    public void RoundTrip_Responses_KeepStatusAndSequence()
    {
        Assert.Equal("id-9", RoundTrip(new SubmitSmResp { SequenceNumber = 3, MessageId = "id-9" }).MessageId);
        Assert.Equal(3u, RoundTrip(new DeliverSmResp { SequenceNumber = 3 }).SequenceNumber);
        Assert.Equal(SmppCommandId.EnquireLinkResp, RoundTrip(new EnquireLinkResp { SequenceNumber = 4 }).CommandId);
        Assert.Equal(SmppCommandId.Unbind, RoundTrip(new Unbind { SequenceNumber = 5 }).CommandId);
        Assert.Equal(SmppCommandId.UnbindResp, RoundTrip(new UnbindResp { SequenceNumber = 6 }).CommandId);
        var nack = RoundTrip(new GenericNack { SequenceNumber = 7, CommandStatus = SmppCommandStatus.ESME_RINVCMDID });
        Assert.Equal(SmppCommandStatus.ESME_RINVCMDID, nack.CommandStatus);
    }

    [Fact]
    public void Decode_UnknownCommand_KeepsIdAndBody()
    {
        var bytes = Hex("00000013 000000FF 00000000 0000000A 010203");

        var pdu = Assert.IsType<UnknownPdu>(SmppPduCodec.Decode(bytes));

        Assert.Equal((SmppCommandId)0xFF, pdu.CommandId);
        Assert.Equal(new byte[] { 1, 2, 3 }, pdu.Body);
        Assert.Equal(bytes, SmppPduCodec.Encode(pdu));
    }

    [Fact]
    public void Decode_LengthDiffersFromFrame_Throws()
    {
        var bytes = Hex("00000011 00000015 00000000 00000001");

        Assert.Throws<SmppProtocolException>(() => SmppPduCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_CStringWithoutTerminator_Throws()
    {
        // bind_transmitter whose system_id runs to the end of the frame.
        var bytes = Hex("00000014 00000002 00000000 00000001 41424344");

        Assert.Throws<SmppProtocolException>(() => SmppPduCodec.Decode(bytes));
    }

    [Fact]
    public void Decode_TruncatedTlv_ThrowsWithOptionalParameterStatus()
    {
        var deliver = SmppPduCodec.Encode(new DeliverSm { SequenceNumber = 1 });
        var broken = deliver.Concat(new byte[] { 0x04, 0x27, 0x00, 0x05, 0x01 }).ToArray();
        broken[3] = (byte)broken.Length;

        var error = Assert.Throws<SmppProtocolException>(() => SmppPduCodec.Decode(broken));
        Assert.Equal(SmppCommandStatus.ESME_RINVOPTPARSTREAM, error.CommandStatus);
    }

    [Fact]
    public void Encode_SourceAddressTooLong_Throws()
    {
        var pdu = new SubmitSm { SourceAddr = new string('1', 21) };

        Assert.Throws<InvalidOperationException>(() => SmppPduCodec.Encode(pdu));
    }

    [Fact]
    public void Encode_ShortMessageOver254Octets_Throws()
    {
        var pdu = new SubmitSm { ShortMessage = new byte[255] };

        Assert.Throws<InvalidOperationException>(() => SmppPduCodec.Encode(pdu));
    }

    [Theory]
    [InlineData(SmppCommandStatus.ESME_RINVPASWD, "ESME_RINVPASWD")]
    [InlineData(SmppCommandStatus.ESME_RTHROTTLED, "ESME_RTHROTTLED")]
    [InlineData(0x401u, "ESME_VENDOR_0x00000401")]
    [InlineData(0x999u, "ESME_UNKNOWN_0x00000999")]
    public void GetName_Status_NamesIt(uint status, string name) =>
        Assert.Equal(name, SmppCommandStatus.GetName(status));
}
