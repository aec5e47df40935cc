using OpenTfa.Core.Security;

namespace OpenTfa.Core.Delivery;

/// <summary>What a message travels as. Stored as its number, so new kinds are only ever appended.</summary>
public enum ChannelKind
{
    Sms,
    Voice,
    Email,
    WhatsApp,
    Telegram,
}

/// <summary>The names of a <see cref="ChannelKind"/>: on the wire, in settings, and in sentences.</summary>
public static class ChannelKinds
{
    /// <summary>The lower-case name used on the wire, in routes and in the log channel: <c>sms</c>, <c>voice</c>, <c>email</c>, <c>whatsapp</c>, <c>telegram</c>.</summary>
    public static string Name(ChannelKind kind) => kind switch
    {
        ChannelKind.Sms => "sms",
        ChannelKind.Voice => "voice",
        ChannelKind.Email => "email",
        ChannelKind.WhatsApp => "whatsapp",
        ChannelKind.Telegram => "telegram",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kind a lower- or mixed-case <see cref="Name"/> names, or null.</summary>
    public static ChannelKind? Parse(string? name) =>
        Enum.GetValues<ChannelKind>().Select(k => (ChannelKind?)k).FirstOrDefault(k => string.Equals(Name(k!.Value), name, StringComparison.OrdinalIgnoreCase));

    /// <summary>How a sentence names the kind: SMS, voice, e-mail, WhatsApp, Telegram.</summary>
    public static string Describe(ChannelKind kind) => kind switch
    {
        ChannelKind.Sms => "SMS",
        ChannelKind.Voice => "voice",
        ChannelKind.Email => "e-mail",
        ChannelKind.WhatsApp => "WhatsApp",
        ChannelKind.Telegram => "Telegram",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The kinds every server is expected to carry; WhatsApp and Telegram are opt-in.</summary>
    public static IReadOnlyList<ChannelKind> Expected { get; } = [ChannelKind.Sms, ChannelKind.Voice, ChannelKind.Email];

    /// <summary>Whether messages of this kind go to a phone number (every kind but e-mail).</summary>
    public static bool ToPhone(ChannelKind kind) => kind != ChannelKind.Email;
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
/// <param name="Code">The PIN alone, for channels that carry the code rather than a text (WhatsApp authentication templates, Telegram's gateway).</param>
/// <param name="TemplateId">The OpenTfa message template the text came from, for channels whose provider keeps its own templates per OpenTfa template.</param>
public sealed record MessageContent(
    string Text,
    string? Subject = null,
    string? Html = null,
    string? Language = null,
    string? VoiceName = null,
    double? SpeechRate = null,
    string? RepeatDtmf = null,
    bool TestNumber = false,
    string? Code = null,
    string? TemplateId = null);

/// <summary>
/// An outbox row: one delivery of one PIN (a resend is a new row). <see cref="TraceParent"/> is
/// the W3C trace context of the request that created it; <see cref="Step"/> the workflow step
/// (from 1) the message delivers, or null outside a workflow.
/// </summary>
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
    string? TraceParent = null,
    int? Step = null);

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
    DateTimeOffset? DeliveredAt,
    int? Step = null);

/// <summary>A message opened for delivery; <see cref="ExpiresAt"/> is its PIN's expiry, for channels that tell the recipient how long the code lasts.</summary>
public sealed record OutgoingMessage(string Id, string PinId, ChannelKind Kind, string To, string? From, MessageContent Content, int Attempt, DateTimeOffset? ExpiresAt = null);

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
