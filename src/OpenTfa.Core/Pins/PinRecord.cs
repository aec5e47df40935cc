using OpenTfa.Core.Delivery;
using OpenTfa.Core.Security;

namespace OpenTfa.Core.Pins;

/// <summary>One issued PIN. <see cref="Destination"/> is canonical (digits, or a lower-case address).</summary>
public sealed record PinRecord(
    string Id,
    string TenantId,
    string ApplicationId,
    string TemplateId,
    ChannelKind Kind,
    string Destination,
    SealedSecret Pin,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int AttemptsRemaining,
    bool Sent,
    DateTimeOffset? VerifiedAt = null,
    bool Consumed = false,
    string? PlaceholdersJson = null,
    string? From = null,
    DateTimeOffset? CanceledAt = null,
    Workflows.PinWorkflow? Workflow = null)
{
    /// <summary>Not verified, canceled or used up, not expired at <paramref name="now"/>, attempts left: what a Twilio verification calls pending.</summary>
    public bool IsPendingAt(DateTimeOffset now) =>
        VerifiedAt is null && CanceledAt is null && !Consumed && AttemptsRemaining > 0 && now < ExpiresAt;

    /// <summary>The placeholder values the first send was given, or null when it had none.</summary>
    public IReadOnlyDictionary<string, string>? Placeholders() =>
        PlaceholdersJson is null ? null : System.Text.Json.JsonSerializer.Deserialize(PlaceholdersJson, CoreJsonContext.Default.IReadOnlyDictionaryStringString);
}

/// <summary>The mutable part of a PIN, as the store holds it inside one atomic operation.</summary>
public readonly record struct PinState(int AttemptsRemaining, DateTimeOffset ExpiresAt, DateTimeOffset? VerifiedAt, bool Consumed);

public enum PinError
{
    None,
    WrongPin,
    TtlExpired,
    NoMorePinAttempts,
}

/// <summary>The rules that decide a resend and name a PIN error on the wire; the verify decision, <see cref="Decide"/>, has a file of its own.</summary>
public static partial class PinRules
{
    /// <summary>Why a PIN cannot be resent, or <see cref="PinError.None"/> when it can.</summary>
    public static PinError CanResend(PinState state, DateTimeOffset now) =>
        state.VerifiedAt is not null || state.Consumed ? PinError.NoMorePinAttempts
        : state.AttemptsRemaining <= 0 ? PinError.NoMorePinAttempts
        : now >= state.ExpiresAt ? PinError.TtlExpired
        : PinError.None;

    public static string ToWire(PinError error) => error switch
    {
        PinError.WrongPin => "WRONG_PIN",
        PinError.TtlExpired => "TTL_EXPIRED",
        PinError.NoMorePinAttempts => "NO_MORE_PIN_ATTEMPTS",
        _ => throw new ArgumentOutOfRangeException(nameof(error)),
    };
}
