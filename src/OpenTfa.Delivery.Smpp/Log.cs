using Microsoft.Extensions.Logging;
using OpenTfa.Delivery.Smpp.Pdus;
using OpenTfa.Delivery.Smpp.Receipts;

namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// Every log line of the SMPP client. Numbers are masked to their last four digits and no
/// message text is ever logged: it holds a PIN.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "SMPP client starting: {Sessions} session(s) to {Host}:{Port} as {SystemId}, bind mode {BindMode}")]
    public static partial void Starting(ILogger logger, int sessions, string host, int port, string systemId, SmppBindMode bindMode);

    [LoggerMessage(2, LogLevel.Debug, "SMPP {Session}: connecting")]
    public static partial void Connecting(ILogger logger, string session);

    [LoggerMessage(3, LogLevel.Information, "SMPP {Session}: bound to SMSC '{SmscSystemId}'")]
    public static partial void Bound(ILogger logger, string session, string smscSystemId);

    [LoggerMessage(4, LogLevel.Error, "SMPP {Session}: bind refused with {StatusName} (0x{CommandStatus:X8}); check SystemId, Password and SystemType")]
    public static partial void BindRefused(ILogger logger, string session, string statusName, uint commandStatus);

    [LoggerMessage(5, LogLevel.Warning, "SMPP {Session}: connection failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string session, string reason);

    [LoggerMessage(6, LogLevel.Warning, "SMPP {Session}: link lost: {Reason}")]
    public static partial void LinkLost(ILogger logger, string session, string reason);

    [LoggerMessage(7, LogLevel.Information, "SMPP {Session}: reconnecting in {Delay}")]
    public static partial void Reconnecting(ILogger logger, string session, TimeSpan delay);

    [LoggerMessage(8, LogLevel.Warning, "SMPP {Session}: no enquire_link_resp within {Timeout}; dropping the link")]
    public static partial void EnquireLinkTimedOut(ILogger logger, string session, TimeSpan timeout);

    [LoggerMessage(9, LogLevel.Information, "SMPP {Session}: the SMSC asked to unbind")]
    public static partial void UnbindRequested(ILogger logger, string session);

    [LoggerMessage(10, LogLevel.Information, "SMPP {Session}: unbound")]
    public static partial void Unbound(ILogger logger, string session);

    [LoggerMessage(11, LogLevel.Warning, "SMPP {Session}: unbind got no answer: {Reason}")]
    public static partial void UnbindUnanswered(ILogger logger, string session, string reason);

    [LoggerMessage(12, LogLevel.Warning, "SMPP {Session}: answered unsupported request {CommandId} with generic_nack ESME_RINVCMDID")]
    public static partial void UnsupportedRequest(ILogger logger, string session, SmppCommandId commandId);

    [LoggerMessage(13, LogLevel.Warning, "SMPP {Session}: malformed {CommandId} (sequence {SequenceNumber}): {Reason}")]
    public static partial void MalformedPdu(ILogger logger, string session, SmppCommandId commandId, uint sequenceNumber, string reason);

    [LoggerMessage(14, LogLevel.Warning, "SMPP {Session}: generic_nack {StatusName} for sequence {SequenceNumber} matches no request")]
    public static partial void UnmatchedGenericNack(ILogger logger, string session, string statusName, uint sequenceNumber);

    [LoggerMessage(15, LogLevel.Debug, "SMPP {Session}: response {CommandId} for sequence {SequenceNumber} matches no waiting request")]
    public static partial void UnmatchedResponse(ILogger logger, string session, SmppCommandId commandId, uint sequenceNumber);

    [LoggerMessage(16, LogLevel.Information, "SMPP {Session}: alert_notification received")]
    public static partial void AlertNotification(ILogger logger, string session);

    [LoggerMessage(20, LogLevel.Information, "SMPP submit to {Destination}: accepted, {Segments} segment(s), message id {MessageId}")]
    public static partial void SubmitAccepted(ILogger logger, string destination, int segments, string messageId);

    [LoggerMessage(21, LogLevel.Warning, "SMPP submit to {Destination}: {Kind} failure {StatusName}: {Detail}")]
    public static partial void SubmitFailed(ILogger logger, string destination, SmppFailureKind kind, string statusName, string detail);

    [LoggerMessage(22, LogLevel.Warning, "SMPP submit to {Destination}: {StatusName}, pausing {Delay} before retry {Attempt} of {MaxAttempts}")]
    public static partial void Throttled(ILogger logger, string destination, string statusName, TimeSpan delay, int attempt, int maxAttempts);

    [LoggerMessage(30, LogLevel.Information, "SMPP {Session}: delivery receipt for message id {MessageId}: {State}")]
    public static partial void ReceiptReceived(ILogger logger, string session, string messageId, SmppMessageState state);

    [LoggerMessage(31, LogLevel.Information, "SMPP {Session}: mobile-originated message from {Source}")]
    public static partial void MessageReceived(ILogger logger, string session, string source);

    [LoggerMessage(32, LogLevel.Error, "SMPP {Session}: could not read a deliver_sm")]
    public static partial void DeliverSmUnreadable(ILogger logger, string session, Exception exception);

    [LoggerMessage(33, LogLevel.Error, "SMPP: a {EventName} handler threw")]
    public static partial void HandlerFailed(ILogger logger, string eventName, Exception exception);

    [LoggerMessage(40, LogLevel.Information, "SMPP client stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(41, LogLevel.Information, "SMPP client stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(42, LogLevel.Error, "SMPP {Session}: session loop failed; it restarts after a pause")]
    public static partial void SessionLoopFailed(ILogger logger, string session, Exception exception);
    [LoggerMessage(50, LogLevel.Debug, "SMPP channel {Channel}: receipt {State} for message id {MessageId} ignored (not final)")]
    public static partial void ReceiptIgnored(ILogger logger, string channel, string messageId, SmppMessageState state);

    [LoggerMessage(52, LogLevel.Warning, "SMPP channel {Channel}: could not record the receipt for message id {MessageId} ({Reason}); trying again")]
    public static partial void ReceiptRecordRetry(ILogger logger, string channel, string messageId, string reason);

    [LoggerMessage(53, LogLevel.Error, "SMPP channel {Channel}: the receipt for message id {MessageId} ({State}) could not be recorded")]
    public static partial void ReceiptNotRecorded(ILogger logger, string channel, string messageId, Core.Delivery.MessageState state, Exception exception);

    [LoggerMessage(54, LogLevel.Warning, "SMPP channel {Channel}: {Accepted} of {Segments} segments accepted before a temporary failure; the retry sends only the rest")]
    public static partial void PartiallySubmitted(ILogger logger, string channel, int accepted, int segments);
}
