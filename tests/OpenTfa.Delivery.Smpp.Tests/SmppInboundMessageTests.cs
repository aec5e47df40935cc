using OpenTfa.Delivery.Smpp.Encoding;
using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp.Tests;

public class SmppInboundMessageTests
{
    [Fact]
    public void FromDeliverSm_SegmentWithUdh_SplitsHeaderAndDecodesText()
    {
        var pdu = new DeliverSm
        {
            SourceAddr = "41795556677",
            DestinationAddr = "12345",
            EsmClass = EsmClasses.UserDataHeaderIndicator,
            DataCoding = SmsDataCoding.Ucs2,
            ShortMessage = [.. UserDataHeader.Concatenation8Bit(9, 2, 1), .. System.Text.Encoding.BigEndianUnicode.GetBytes("Привет")],
        };

        var message = SmppInboundMessage.FromDeliverSm(pdu, DateTimeOffset.UnixEpoch);

        Assert.Equal("Привет", message.Text);
        Assert.Equal(new SmsConcatenation(9, 2, 1), message.Concatenation);
        Assert.Equal(12, message.Body.Length);
    }

    [Fact]
    public void FromDeliverSm_SarTlvs_GiveConcatenation()
    {
        var pdu = new DeliverSm { ShortMessage = GsmAlphabet.Encode("part"), SarMsgRefNum = 300, SarTotalSegments = 3, SarSegmentSeqnum = 2 };

        var message = SmppInboundMessage.FromDeliverSm(pdu, DateTimeOffset.UnixEpoch);

        Assert.Equal("part", message.Text);
        Assert.Equal(new SmsConcatenation(300, 3, 2), message.Concatenation);
    }

    [Fact]
    public void FromDeliverSm_BinaryCoding_HasNoText()
    {
        var message = SmppInboundMessage.FromDeliverSm(new DeliverSm { DataCoding = SmsDataCoding.Binary8Bit, ShortMessage = [1, 2] }, DateTimeOffset.UnixEpoch);

        Assert.Null(message.Text);
        Assert.Equal(new byte[] { 1, 2 }, message.Body);
    }
}
