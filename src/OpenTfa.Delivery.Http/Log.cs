using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Http;

/// <summary>Every log line of the HTTP gateway channels. Destinations are masked; no text, token or credential is logged.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "{Type} channel {Channel}: message to {Destination}: {Outcome} {Error}")]
    public static partial void Sent(ILogger logger, string type, string channel, string destination, DeliveryOutcome outcome, string? error);

    [LoggerMessage(2, LogLevel.Information, "{Type} channel {Channel}: delivery report for {ChannelMessageId}: {Status}")]
    public static partial void Report(ILogger logger, string type, string channel, string channelMessageId, object status);

    [LoggerMessage(3, LogLevel.Information, "{Type} channel {Channel}: call {CallId} asked to hear the PIN again ({ReplaysLeft} replays left)")]
    public static partial void Replay(ILogger logger, string type, string channel, string callId, int replaysLeft);

    [LoggerMessage(10, LogLevel.Information, "whatsapp channel {Channel}: template {Template} ({Language}, {OtpType}) created at Meta as {TemplateId}, {Status}")]
    public static partial void TemplateCreated(ILogger logger, string channel, string template, string language, string otpType, string templateId, string status);
}
