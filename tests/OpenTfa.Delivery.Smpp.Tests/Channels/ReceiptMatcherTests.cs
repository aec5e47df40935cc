using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Channels;

namespace OpenTfa.Delivery.Smpp.Tests.Channels;

public sealed class ReceiptMatcherTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 2, 3, 4, 0, TimeSpan.Zero);

    private static ReceiptMatcher Matcher() => new(TimeSpan.FromSeconds(10), TimeSpan.FromDays(1));

    private static ReceiptOutcome Delivered(int seconds = 5) => new(true, null, null, T0.AddSeconds(seconds));

    private static ReceiptOutcome Failed(string error, int seconds = 5) => new(false, error, null, T0.AddSeconds(seconds));

    [Fact]
    public void SingleSegment_DeliveredReceipt_RecordsDeliveredUnderItsId()
    {
        var matcher = Matcher();
        Assert.Null(matcher.Accepted(["1000A"], T0));

        var decision = matcher.Received("1000A", Delivered());

        Assert.Equal(new DeliveryReport("1000A", MessageState.Delivered, null, T0.AddSeconds(5)), decision);
    }

    [Fact]
    public void ThreeSegments_RecordDeliveredOnlyOnceAllAreDelivered_UnderTheFirstId()
    {
        var matcher = Matcher();
        matcher.Accepted(["A1", "A2", "A3"], T0);

        Assert.Null(matcher.Received("A2", Delivered(3)));
        Assert.Null(matcher.Received("A1", Delivered(4)));
        var decision = matcher.Received("A3", Delivered(2));

        Assert.Equal(new DeliveryReport("A1", MessageState.Delivered, null, T0.AddSeconds(4)), decision);
        Assert.Null(matcher.Received("A3", Delivered(9)));
    }

    [Fact]
    public void ThreeSegments_OneUndeliverable_RecordsFailedAtOnce_AndNothingAfter()
    {
        var matcher = Matcher();
        matcher.Accepted(["B1", "B2", "B3"], T0);

        var decision = matcher.Received("B2", Failed("UNDELIV err:001"));

        Assert.Equal(new DeliveryReport("B1", MessageState.Failed, "UNDELIV err:001", T0.AddSeconds(5)), decision);
        Assert.Null(matcher.Received("B1", Delivered()));
    }

    [Fact]
    public void ReceiptBeforeTheSubmitCompleted_IsHeld_AndAppliedWhenTheSegmentsAreAccepted()
    {
        var matcher = Matcher();

        Assert.Null(matcher.Received("C1", Delivered(1)));
        Assert.Null(matcher.Received("C2", Delivered(2)));
        Assert.Equal(2, matcher.Held);
        var decision = matcher.Accepted(["C1", "C2"], T0);

        Assert.Equal(new DeliveryReport("C1", MessageState.Delivered, null, T0.AddSeconds(2)), decision);
        Assert.Equal(0, matcher.Held);
        Assert.Empty(matcher.Expire(T0.AddHours(1)));
    }

    [Fact]
    public void UnknownReceipt_IsPassedOnUnderItsOwnId_OnceHeldLongEnough()
    {
        var matcher = Matcher();
        Assert.Null(matcher.Received("D1", Failed("EXPIRED", seconds: 0)));

        Assert.Empty(matcher.Expire(T0.AddSeconds(9)));
        var expired = Assert.Single(matcher.Expire(T0.AddSeconds(10)));

        Assert.Equal(new DeliveryReport("D1", MessageState.Failed, "EXPIRED", T0), expired);
        Assert.Equal(0, matcher.Held);
    }

    [Fact]
    public void Expire_All_PassesOnEveryHeldReceipt()
    {
        var matcher = Matcher();
        matcher.Received("E1", Delivered(0));
        matcher.Received("E2", Delivered(0));

        Assert.Equal(["E1", "E2"], matcher.Expire(T0, all: true).Select(d => d.ChannelMessageId).Order());
    }

    [Theory]
    [InlineData("1F4", "500")]
    [InlineData("000001F4", "500")]
    [InlineData("500", "1F4")]
    public void ReceiptIdInTheOtherRadix_MatchesTheSubmittedId(string submitted, string inReceipt)
    {
        var matcher = Matcher();
        matcher.Accepted([submitted], T0);

        var decision = matcher.Received(inReceipt, Delivered());

        Assert.Equal(submitted, decision?.ChannelMessageId);
    }

    [Fact]
    public void HeldReceiptInTheOtherRadix_IsAppliedWhenTheSubmitCompletes()
    {
        var matcher = Matcher();
        matcher.Received("4096", Delivered());

        var decision = matcher.Accepted(["1000"], T0);

        Assert.Equal(new DeliveryReport("1000", MessageState.Delivered, null, T0.AddSeconds(5)), decision);
    }

    [Fact]
    public void DoneDate_IsKeptBetweenTheSubmitAndTheArrival()
    {
        var matcher = Matcher();
        matcher.Accepted(["F1"], T0.AddSeconds(30));
        matcher.Accepted(["F2"], T0);
        matcher.Accepted(["F3"], T0);

        var beforeSubmit = matcher.Received("F1", new ReceiptOutcome(true, null, T0, T0.AddSeconds(40)));
        var afterArrival = matcher.Received("F2", new ReceiptOutcome(true, null, T0.AddMinutes(5), T0.AddSeconds(40)));
        var between = matcher.Received("F3", new ReceiptOutcome(true, null, T0.AddSeconds(20), T0.AddSeconds(40)));

        Assert.Equal(T0.AddSeconds(30), beforeSubmit?.At);
        Assert.Equal(T0.AddSeconds(40), afterArrival?.At);
        Assert.Equal(T0.AddSeconds(20), between?.At);
    }

    [Fact]
    public void OldSubmissions_AreForgotten_AndTheirReceiptsHeldInstead()
    {
        var matcher = new ReceiptMatcher(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        matcher.Accepted(["G1"], T0);
        matcher.Accepted(["G2"], T0.AddHours(2));

        Assert.Null(matcher.Received("G1", Delivered()));
        Assert.Equal(1, matcher.Held);
    }

    [Fact]
    public void DecidedMessage_IsNoLongerAwaited_AndItsRepeatedReceiptIsDropped_NotHeld()
    {
        var matcher = Matcher();
        matcher.Accepted(["H1"], T0);
        Assert.Equal((1, 0), (matcher.Awaiting, matcher.Decided));

        Assert.NotNull(matcher.Received("H1", Delivered()));

        Assert.Equal((0, 1), (matcher.Awaiting, matcher.Decided));
        Assert.Null(matcher.Received("h1", Delivered(9)));
        Assert.Equal(0, matcher.Held);
        Assert.Empty(matcher.Expire(T0.AddHours(1), all: true));
    }

    [Fact]
    public void FailedLongMessage_DropsItsOtherSegmentsReceipts_InTheOtherRadixToo()
    {
        var matcher = Matcher();
        matcher.Accepted(["1F4", "1F5"], T0);

        Assert.Equal(MessageState.Failed, matcher.Received("1F5", Failed("UNDELIV err:001"))?.State);

        Assert.Null(matcher.Received("500", Delivered(9)));
        Assert.Null(matcher.Received("1f4", Delivered(9)));
        Assert.Equal((0, 0, 2), (matcher.Held, matcher.Awaiting, matcher.Decided));
    }

    [Fact]
    public void DecidedMessages_BeyondTheCapacity_AreForgotten_OldestFirst()
    {
        var matcher = new ReceiptMatcher(TimeSpan.FromSeconds(10), TimeSpan.FromDays(1), capacity: 100);
        for (var i = 0; i < 1000; i++)
        {
            var id = $"J{i}";
            matcher.Accepted([id], T0.AddSeconds(i));
            Assert.NotNull(matcher.Received(id, Delivered(i)));
        }

        // The newest 100 ids are remembered, and at most one generation (a sixteenth) more.
        Assert.Equal(0, matcher.Awaiting);
        Assert.InRange(matcher.Decided, 100, 106);
        Assert.Null(matcher.Received("J900", Delivered(1000)));
        Assert.Null(matcher.Received("J999", Delivered(1000)));
        Assert.Equal(0, matcher.Held);

        // The oldest is forgotten: its repeated receipt is held and passed on, as for a message sent before a restart.
        Assert.Null(matcher.Received("J0", Delivered(1000)));
        var passedOn = Assert.Single(matcher.Expire(T0.AddSeconds(1010)));
        Assert.Equal("J0", passedOn.ChannelMessageId);
    }

    [Fact]
    public void DecidedMessages_AreForgotten_OnceKeptLongEnough()
    {
        var matcher = new ReceiptMatcher(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        matcher.Accepted(["K1"], T0);
        matcher.Received("K1", Delivered());

        Assert.Empty(matcher.Expire(T0.AddMinutes(59)));
        Assert.Equal(1, matcher.Decided);
        Assert.Empty(matcher.Expire(T0.AddHours(2)));
        Assert.Equal(0, matcher.Decided);
    }

    [Fact]
    public void AwaitedMessages_BeyondTheCapacity_AreForgotten_AndTheirReceiptsHeldInstead()
    {
        var matcher = new ReceiptMatcher(TimeSpan.FromSeconds(10), TimeSpan.FromDays(1), capacity: 2);
        matcher.Accepted(["L1"], T0);
        matcher.Accepted(["L2"], T0);
        matcher.Accepted(["L3"], T0);

        Assert.Equal(2, matcher.Awaiting);
        Assert.Null(matcher.Received("L1", Delivered()));
        Assert.Equal(1, matcher.Held);
        Assert.NotNull(matcher.Received("L3", Delivered()));
    }

    [Theory]
    [InlineData("1F4", "500")]
    [InlineData("000001F4", "500")]
    [InlineData("500", "1F4")]
    [InlineData("500", "500")]
    [InlineData("abc-XYZ-42", "ABC-xyz-42")]
    [InlineData("18446744073709551615", "18446744073709551615")]
    [InlineData("18446744073709551615", "FFFFFFFFFFFFFFFF")]
    public void DecidedMessage_DropsItsReceiptInAnyCaseOrRadix(string submitted, string inReceipt)
    {
        var matcher = Matcher();
        matcher.Accepted([submitted], T0);
        matcher.Received(submitted, Delivered());

        Assert.Null(matcher.Received(inReceipt, Failed("UNDELIV", seconds: 9)));
        Assert.Equal(0, matcher.Held);
    }

    [Theory]
    [InlineData("1F4", "1F5")]
    [InlineData("500", "501")]
    [InlineData("abc-XYZ-42", "abc-XYZ-43")]
    public void DecidedMessage_LeavesOtherIdsReceiptsToBeHeld(string submitted, string inReceipt)
    {
        var matcher = Matcher();
        matcher.Accepted([submitted], T0);
        matcher.Received(submitted, Delivered());

        Assert.Null(matcher.Received(inReceipt, Delivered(9)));
        Assert.Equal(1, matcher.Held);
    }

    [Fact]
    public void IdReusedBySmsc_AfterItsMessageWasDecided_MatchesTheNewSubmission()
    {
        var matcher = Matcher();
        matcher.Accepted(["M1"], T0);
        matcher.Received("M1", Failed("UNDELIV"));

        matcher.Accepted(["M1"], T0.AddMinutes(1));
        var decision = matcher.Received("M1", Delivered(70));

        Assert.Equal(new DeliveryReport("M1", MessageState.Delivered, null, T0.AddSeconds(70)), decision);
        Assert.Null(matcher.Received("M1", Delivered(80)));
        Assert.Equal((0, 0), (matcher.Awaiting, matcher.Held));
    }

    [Fact]
    public void IdReusedBySmsc_ForgettingTheOlderMessage_KeepsDroppingTheNewersLateReceipts()
    {
        // With room for 16 ids, each id is a generation of its own.
        var matcher = new ReceiptMatcher(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), capacity: 16);
        matcher.Accepted(["N1"], T0);
        matcher.Received("N1", Delivered());
        matcher.Accepted(["N1"], T0.AddMinutes(50));
        matcher.Received("N1", Delivered(3005));

        Assert.Empty(matcher.Expire(T0.AddMinutes(70)));

        Assert.Equal(1, matcher.Decided);
        Assert.Null(matcher.Received("N1", Delivered(4200)));
        Assert.Equal(0, matcher.Held);
    }
}
