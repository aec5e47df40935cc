namespace OpenTfa.Core.Pins;

/// <summary>What one verify decided: whether it verified, the error if not, and the PIN's state after it.</summary>
public readonly record struct VerifyDecision(bool Verified, PinError Error, PinState NewState)
{
    /// <summary>A PIN consumed by its single use has no attempts left, whatever its counter says.</summary>
    public int AttemptsRemaining => NewState.Consumed ? 0 : NewState.AttemptsRemaining;
}

public static partial class PinRules
{
    /// <summary>
    /// The verify decision, applied by the store inside its atomic step to the PIN as it is at that
    /// moment. In order: a PIN consumed or out of attempts answers <see cref="PinError.NoMorePinAttempts"/>
    /// and an expired one <see cref="PinError.TtlExpired"/>, neither spending an attempt; a wrong PIN
    /// spends one (<see cref="PinError.WrongPin"/>, even on the last); a right one verifies, keeping
    /// the first verification time, and consumes the PIN unless the application allows multiple verifications.
    /// </summary>
    public static VerifyDecision Decide(PinState state, bool matches, bool allowMultipleVerifications, DateTimeOffset now)
    {
        if (state.Consumed || state.AttemptsRemaining <= 0)
        {
            return new VerifyDecision(false, PinError.NoMorePinAttempts, state);
        }

        if (now >= state.ExpiresAt)
        {
            return new VerifyDecision(false, PinError.TtlExpired, state);
        }

        if (!matches)
        {
            return new VerifyDecision(false, PinError.WrongPin, state with { AttemptsRemaining = state.AttemptsRemaining - 1 });
        }

        var verified = state with { VerifiedAt = state.VerifiedAt ?? now, Consumed = !allowMultipleVerifications };
        return new VerifyDecision(true, PinError.None, verified);
    }
}
