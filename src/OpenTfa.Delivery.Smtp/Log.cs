using Microsoft.Extensions.Logging;

namespace OpenTfa.Delivery.Smtp;

/// <summary>Every log line of the SMTP channel. Addresses are masked; no subject or body is logged (they hold the PIN).</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "SMTP channel {Channel}: message to {Recipient} accepted: {Answer}")]
    public static partial void Sent(ILogger logger, string channel, string recipient, string answer);

    [LoggerMessage(2, LogLevel.Warning, "SMTP channel {Channel}: message to {Recipient} refused: {Error}")]
    public static partial void Refused(ILogger logger, string channel, string recipient, string error);

    [LoggerMessage(3, LogLevel.Warning, "SMTP channel {Channel}: message to {Recipient} not sent for now: {Error}")]
    public static partial void Failed(ILogger logger, string channel, string recipient, string error);
}
