using OpenTfa.Delivery.Smpp.Pdus;
using OpenTfa.Delivery.Smpp.Receipts;

namespace OpenTfa.Delivery.Smpp.Tests.Receipts;

public class DeliveryReceiptTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static DeliverSm Receipt(string text) => new()
    {
        SourceAddr = "41791234567",
        DestinationAddr = "InfoSMS",
        EsmClass = EsmClasses.DeliveryReceipt,
        ShortMessage = System.Text.Encoding.Latin1.GetBytes(text),
    };

    [Fact]
    public void Parse_SpecificationFormat_ReadsEveryField()
    {
        var text = DeliveryReceiptText.Parse(
            "id:1234567890 sub:001 dlvrd:001 submit date:2503011159 done date:2503011200 stat:DELIVRD err:000 text:Your PIN is 12");

        Assert.NotNull(text);
        Assert.Equal("1234567890", text.Id);
        Assert.Equal(1, text.Submitted);
        Assert.Equal(1, text.Delivered);
        Assert.Equal(new DateTime(2025, 3, 1, 11, 59, 0), text.SubmitDate);
        Assert.Equal(new DateTime(2025, 3, 1, 12, 0, 0), text.DoneDate);
        Assert.False(text.DoneDateHasSeconds);
        Assert.Equal("DELIVRD", text.Stat);
        Assert.Equal("000", text.Err);
    }

    [Fact]
    public void Parse_UpperCaseKeysWithSeconds_ReadsFields()
    {
        var text = DeliveryReceiptText.Parse("ID:ab-12 SUB:1 DLVRD:0 SUBMIT DATE:250301115930 DONE DATE:250301120045 STAT:UNDELIV ERR:34 TEXT:");

        Assert.NotNull(text);
        Assert.Equal("ab-12", text.Id);
        Assert.Equal(new DateTime(2025, 3, 1, 11, 59, 30), text.SubmitDate);
        Assert.Equal(new DateTime(2025, 3, 1, 12, 0, 45), text.DoneDate);
        Assert.True(text.DoneDateHasSeconds);
        Assert.Equal("UNDELIV", text.Stat);
        Assert.Equal("34", text.Err);
    }

    [Fact]
    public void Parse_MissingFields_LeavesThemNull()
    {
        var text = DeliveryReceiptText.Parse("id:77 stat:EXPIRED");

        Assert.NotNull(text);
        Assert.Equal("77", text.Id);
        Assert.Null(text.Submitted);
        Assert.Null(text.SubmitDate);
        Assert.Null(text.Err);
    }

    [Fact]
    public void Parse_TextFieldContainingKeys_StopsAtText()
    {
        var text = DeliveryReceiptText.Parse("id:1 stat:DELIVRD err:000 text:stat:REJECTD id:2");

        Assert.Equal(("1", "DELIVRD"), (text!.Id, text.Stat));
    }

    [Fact]
    public void Parse_BadDate_LeavesItNull() =>
        Assert.Null(DeliveryReceiptText.Parse("id:1 submit date:2513011200 stat:DELIVRD")!.SubmitDate);

    [Theory]
    [InlineData("")]
    [InlineData("hello there")]
    public void Parse_NotAReceipt_ReturnsNull(string text) => Assert.Null(DeliveryReceiptText.Parse(text));

    [Theory]
    [InlineData("DELIVRD", SmppMessageState.Delivered)]
    [InlineData("delivrd", SmppMessageState.Delivered)]
    [InlineData("EXPIRED", SmppMessageState.Expired)]
    [InlineData("DELETED", SmppMessageState.Deleted)]
    [InlineData("UNDELIV", SmppMessageState.Undeliverable)]
    [InlineData("ACCEPTD", SmppMessageState.Accepted)]
    [InlineData("UNKNOWN", SmppMessageState.Unknown)]
    [InlineData("REJECTD", SmppMessageState.Rejected)]
    [InlineData("ENROUTE", SmppMessageState.Enroute)]
    [InlineData("SOMETHING", SmppMessageState.Unknown)]
    public void FromDeliverSm_Stat_MapsToState(string stat, SmppMessageState state)
    {
        var receipt = SmppDeliveryReceipt.FromDeliverSm(Receipt($"id:9 stat:{stat} err:000"), Now);

        Assert.Equal(state, receipt.State);
        Assert.Equal(state != SmppMessageState.Enroute, receipt.IsFinal);
    }

    [Fact]
    public void FromDeliverSm_TlvsPresent_TakePrecedenceOverText()
    {
        var pdu = Receipt("id:123 stat:DELIVRD");
        pdu.ReceiptedMessageId = "7B";
        pdu.MessageState = 5;
        pdu.NetworkErrorCode = (3, 1);

        var receipt = SmppDeliveryReceipt.FromDeliverSm(pdu, Now);

        Assert.Equal("7B", receipt.MessageId);
        Assert.Equal(SmppMessageState.Undeliverable, receipt.State);
        Assert.Equal(((byte)3, (ushort)1), receipt.NetworkError);
        Assert.Equal("DELIVRD", receipt.Stat);
    }

    [Fact]
    public void FromDeliverSm_TextOnly_ReadsIdStateAndAddresses()
    {
        var receipt = SmppDeliveryReceipt.FromDeliverSm(Receipt("id:0A1B sub:001 dlvrd:001 submit date:2503011159 done date:2503011200 stat:DELIVRD err:000 text:x"), Now);

        Assert.Equal("0A1B", receipt.MessageId);
        Assert.Equal(SmppMessageState.Delivered, receipt.State);
        Assert.Equal("41791234567", receipt.Recipient);
        Assert.Equal("InfoSMS", receipt.Sender);
        Assert.Equal(Now, receipt.ReceivedAt);
    }

    [Fact]
    public void FromDeliverSm_TextInMessagePayload_IsRead()
    {
        var pdu = Receipt(string.Empty);
        pdu.MessagePayload = System.Text.Encoding.ASCII.GetBytes("id:55 stat:REJECTD");

        var receipt = SmppDeliveryReceipt.FromDeliverSm(pdu, Now);

        Assert.Equal(("55", SmppMessageState.Rejected), (receipt.MessageId, receipt.State));
    }

    [Fact]
    public void FromDeliverSm_NoTextAndNoTlvs_IsUnknownWithEmptyId()
    {
        var receipt = SmppDeliveryReceipt.FromDeliverSm(Receipt(string.Empty), Now);

        Assert.Equal((string.Empty, SmppMessageState.Unknown), (receipt.MessageId, receipt.State));
    }
}
