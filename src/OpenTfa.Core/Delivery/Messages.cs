using OpenTfa.Core.Security;

namespace OpenTfa.Core.Delivery;

public enum ChannelKind
{
    Sms,
    Voice,
    Email,
}

public enum MessageState
{
    /// <summary>Written to the outbox, waiting for (another) delivery attempt.</summary>
    Queued,

    /// <summary>Accepted by the channel (SMSC, gateway, relay); delivery not yet confirmed.</summary>
    Submitted,

    /// <summary>The channel reported delivery to the handset or mailbox.</summary>
    Delivered,

    /// <summary>Refused for good, or still undelivered when the PIN expired.</summary>
    Failed,
}

/// <summary>What a message carries; sealed at rest because the text holds the PIN.</summary>
public sealed record MessageContent(
    string Text,
    string? Subject = null,
    string? Html = null,
    string? Language = null,
    string? VoiceName = null,
    double? SpeechRate = null,
    string? RepeatDtmf = null,
    bool TestNumber = false);

/// <summary>An outbox row: one delivery of one PIN (a resend is a new row). <see cref="TraceParent"/> is the W3C trace context of the request that created it.</summary>
public sealed record OutboxMessage(
    string Id,
    string PinId,
    string TenantId,
    string ApplicationId,
    ChannelKind Kind,
    string To,
    string? From,
    SealedSecret Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Attempts = 0,
    string? TraceParent = null);

/// <summary>A message's state as operators see it.</summary>
public sealed record MessageStatus(
    string Id,
    string PinId,
    string TenantId,
    ChannelKind Kind,
    string To,
    MessageState State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? ChannelName,
    string? ChannelMessageId,
    string? Error,
    DateTimeOffset? DeliveredAt);

/// <summary>A message opened for delivery.</summary>
public sealed record OutgoingMessage(string Id, string PinId, ChannelKind Kind, string To, string? From, MessageContent Content, int Attempt);

public enum DeliveryOutcome
{
    Accepted,
    TemporaryFailure,
    PermanentFailure,
}

/// <param name="RecipientOnly">
/// The failure concerns this message's recipient only (a greylisted or full mailbox, an unknown
/// user): the channel itself answered properly, so its circuit stays closed and, for a temporary
/// failure, the message waits for its retry instead of moving on along the route.
/// </param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? ChannelMessageId = null, string? Error = null, bool RecipientOnly = false)
{
    public static DeliveryResult Accepted(string? channelMessageId = null) => new(DeliveryOutcome.Accepted, channelMessageId);

    public static DeliveryResult Temporary(string error) => new(DeliveryOutcome.TemporaryFailure, Error: error);

    /// <summary>A temporary failure about the recipient, not the channel: the message is retried later, the channel stays healthy.</summary>
    public static DeliveryResult TemporaryForRecipient(string error) => new(DeliveryOutcome.TemporaryFailure, Error: error, RecipientOnly: true);

    public static DeliveryResult Permanent(string error) => new(DeliveryOutcome.PermanentFailure, Error: error);
}

/// <summary>A named delivery channel (the log channel, an SMPP account, an SMTP relay, a gateway).</summary>
public interface IMessageChannel
{
    string Name { get; }

    bool Supports(ChannelKind kind);

    Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
