using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Pins;

namespace OpenTfa.Core.Tests.Pins;

public sealed class PinRulesTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(15);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private PinState Fresh(int attempts = 3) => new(attempts, _time.GetUtcNow() + Ttl, null, false);

    [Fact]
    public void Decide_WrongPin_DecrementsAttempts()
    {
        VerifyDecision decision = PinRules.Decide(Fresh(3), matches: false, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.False(decision.Verified);
        Assert.Equal(PinError.WrongPin, decision.Error);
        Assert.Equal(2, decision.AttemptsRemaining);
        Assert.Equal(2, decision.NewState.AttemptsRemaining);
        Assert.Null(decision.NewState.VerifiedAt);
    }

    [Fact]
    public void Decide_WrongPinOnLastAttempt_ReturnsWrongPinWithZeroRemaining()
    {
        VerifyDecision decision = PinRules.Decide(Fresh(1), matches: false, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.False(decision.Verified);
        Assert.Equal(PinError.WrongPin, decision.Error);
        Assert.Equal(0, decision.AttemptsRemaining);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_AttemptsUsedUp_ReturnsNoMorePinAttemptsEvenForTheRightPin(bool matches)
    {
        PinState exhausted = Fresh(0);

        VerifyDecision decision = PinRules.Decide(exhausted, matches, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.False(decision.Verified);
        Assert.Equal(PinError.NoMorePinAttempts, decision.Error);
        Assert.Equal(0, decision.AttemptsRemaining);
        Assert.Equal(exhausted, decision.NewState);
    }

    [Fact]
    public void Decide_WrongPinAfterLastAttempt_ReturnsNoMorePinAttempts()
    {
        PinState state = Fresh(1);
        state = PinRules.Decide(state, matches: false, allowMultipleVerifications: true, _time.GetUtcNow()).NewState;

        VerifyDecision decision = PinRules.Decide(state, matches: false, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.Equal(PinError.NoMorePinAttempts, decision.Error);
        Assert.Equal(0, decision.AttemptsRemaining);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_Expired_ReturnsTtlExpiredWithoutConsumingAnAttempt(bool matches)
    {
        PinState state = Fresh(3);
        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        VerifyDecision decision = PinRules.Decide(state, matches, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.False(decision.Verified);
        Assert.Equal(PinError.TtlExpired, decision.Error);
        Assert.Equal(3, decision.AttemptsRemaining);
        Assert.Equal(state, decision.NewState);
    }

    [Fact]
    public void Decide_ExactlyAtExpiry_CountsAsExpired()
    {
        PinState state = Fresh(3);
        _time.Advance(Ttl);

        VerifyDecision decision = PinRules.Decide(state, matches: true, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.Equal(PinError.TtlExpired, decision.Error);
        Assert.False(decision.Verified);
    }

    [Fact]
    public void Decide_OneTickBeforeExpiry_StillVerifies()
    {
        PinState state = Fresh(3);
        _time.Advance(Ttl - TimeSpan.FromTicks(1));

        VerifyDecision decision = PinRules.Decide(state, matches: true, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.True(decision.Verified);
    }

    [Fact]
    public void Decide_RightPin_VerifiesAndRecordsWhen()
    {
        PinState state = Fresh(3);
        _time.Advance(TimeSpan.FromMinutes(1));

        VerifyDecision decision = PinRules.Decide(state, matches: true, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.True(decision.Verified);
        Assert.Equal(PinError.None, decision.Error);
        Assert.Equal(_time.GetUtcNow(), decision.NewState.VerifiedAt);
        Assert.Equal(3, decision.AttemptsRemaining);
        Assert.False(decision.NewState.Consumed);
    }

    [Fact]
    public void Decide_RightPinAgainWithMultipleAllowed_VerifiesAndKeepsTheFirstVerifiedAt()
    {
        PinState state = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: true, _time.GetUtcNow()).NewState;
        DateTimeOffset firstVerifiedAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(2));

        VerifyDecision again = PinRules.Decide(state, matches: true, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.True(again.Verified);
        Assert.Equal(firstVerifiedAt, again.NewState.VerifiedAt);
    }

    [Fact]
    public void Decide_WrongPinAfterVerifiedWithMultipleAllowed_KeepsVerifiedAtAndDecrements()
    {
        PinState state = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: true, _time.GetUtcNow()).NewState;
        DateTimeOffset verifiedAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(5));

        VerifyDecision wrong = PinRules.Decide(state, matches: false, allowMultipleVerifications: true, _time.GetUtcNow());

        Assert.Equal(PinError.WrongPin, wrong.Error);
        Assert.Equal(2, wrong.AttemptsRemaining);
        Assert.Equal(verifiedAt, wrong.NewState.VerifiedAt);
    }

    [Fact]
    public void Decide_SingleVerificationOnly_FirstSuccessConsumesThePin()
    {
        VerifyDecision decision = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: false, _time.GetUtcNow());

        Assert.True(decision.Verified);
        Assert.True(decision.NewState.Consumed);
        Assert.Equal(_time.GetUtcNow(), decision.NewState.VerifiedAt);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_AfterPinConsumed_ReturnsNoMorePinAttemptsWithZeroRemaining(bool matches)
    {
        PinState consumed = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: false, _time.GetUtcNow()).NewState;
        _time.Advance(TimeSpan.FromSeconds(10));

        VerifyDecision later = PinRules.Decide(consumed, matches, allowMultipleVerifications: false, _time.GetUtcNow());

        Assert.False(later.Verified);
        Assert.Equal(PinError.NoMorePinAttempts, later.Error);
        Assert.Equal(0, later.AttemptsRemaining);
        Assert.Equal(3, later.NewState.AttemptsRemaining);
        Assert.Equal(consumed, later.NewState);
    }

    [Fact]
    public void Decide_ConsumedAndExpired_ReportsNoMorePinAttempts()
    {
        PinState consumed = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: false, _time.GetUtcNow()).NewState;
        _time.Advance(Ttl * 2);

        VerifyDecision later = PinRules.Decide(consumed, matches: true, allowMultipleVerifications: false, _time.GetUtcNow());

        Assert.Equal(PinError.NoMorePinAttempts, later.Error);
    }

    [Fact]
    public void CanResend_FreshPin_IsAllowed()
    {
        Assert.Equal(PinError.None, PinRules.CanResend(Fresh(3), _time.GetUtcNow()));
    }

    [Fact]
    public void CanResend_Verified_IsRefusedAsNoMoreAttempts()
    {
        PinState verified = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: true, _time.GetUtcNow()).NewState;

        Assert.Equal(PinError.NoMorePinAttempts, PinRules.CanResend(verified, _time.GetUtcNow()));
    }

    [Fact]
    public void CanResend_Consumed_IsRefusedAsNoMoreAttempts()
    {
        PinState consumed = PinRules.Decide(Fresh(3), matches: true, allowMultipleVerifications: false, _time.GetUtcNow()).NewState;

        Assert.Equal(PinError.NoMorePinAttempts, PinRules.CanResend(consumed, _time.GetUtcNow()));
    }

    [Fact]
    public void CanResend_OutOfAttempts_IsRefusedAsNoMoreAttempts()
    {
        Assert.Equal(PinError.NoMorePinAttempts, PinRules.CanResend(Fresh(0), _time.GetUtcNow()));
    }

    [Fact]
    public void CanResend_ExactlyAtExpiry_IsRefusedAsExpired()
    {
        PinState state = Fresh(3);
        _time.Advance(Ttl);

        Assert.Equal(PinError.TtlExpired, PinRules.CanResend(state, _time.GetUtcNow()));
    }

    [Fact]
    public void CanResend_AfterWrongAttemptsWithSomeLeft_IsAllowed()
    {
        PinState state = PinRules.Decide(Fresh(2), matches: false, allowMultipleVerifications: true, _time.GetUtcNow()).NewState;

        Assert.Equal(PinError.None, PinRules.CanResend(state, _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(PinError.WrongPin, "WRONG_PIN")]
    [InlineData(PinError.TtlExpired, "TTL_EXPIRED")]
    [InlineData(PinError.NoMorePinAttempts, "NO_MORE_PIN_ATTEMPTS")]
    public void ToWire_EachError_IsTheContractSpelling(PinError error, string wire)
    {
        Assert.Equal(wire, PinRules.ToWire(error));
    }

    [Fact]
    public void ToWire_None_HasNoWireForm()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PinRules.ToWire(PinError.None));
    }
}
