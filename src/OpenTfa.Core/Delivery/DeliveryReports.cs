using Microsoft.Extensions.Logging;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Delivery;

/// <summary>What a channel learned of a message it accepted: an SMSC's receipt, a gateway's callback.</summary>
/// <param name="ChannelMessageId">The id the channel gave the message when it accepted it.</param>
/// <param name="Error">Why a failed message failed, as the gateway says it.</param>
/// <param name="At">When the report says it happened; when it does not say, the moment it is recorded.</param>
public sealed record DeliveryReport(string ChannelMessageId, MessageState State, string? Error, DateTimeOffset? At = null);

/// <summary>
/// The one way a delivery report reaches the outbox, whichever channel brought it: SMPP receipts
/// and the gateways' callbacks alike. A report for an id the outbox does not know yet (it overtook
/// the channel's answer to the send) is kept by the store and applied when the submission stores
/// that id. The outbox, as the host sees it, counts every report it matches and publishes the
/// message's new state.
/// </summary>
public sealed partial class DeliveryReports(IOutboxStore outbox, TimeProvider time, ILogger<DeliveryReports> logger)
{
    /// <summary>Records <paramref name="report"/> from channel <paramref name="channel"/>; true when it matched a stored message now.</summary>
    public async Task<bool> RecordAsync(string channel, DeliveryReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        DateTimeOffset now = time.GetUtcNow();
        bool matched = await outbox.RecordDeliveryAsync(channel, report.ChannelMessageId, report.State, report.Error, report.At ?? now, now, cancellationToken).ConfigureAwait(false);
        if (matched)
        {
            Log.Recorded(logger, channel, report.ChannelMessageId, report.State, report.Error);
        }
        else
        {
            Log.Kept(logger, channel, report.ChannelMessageId, report.State, report.Error);
        }

        return matched;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Channel {Channel}: message id {ChannelMessageId} {State} {Error}")]
        public static partial void Recorded(ILogger logger, string channel, string channelMessageId, MessageState state, string? error);

        [LoggerMessage(2, LogLevel.Information, "Channel {Channel}: message id {ChannelMessageId} {State} {Error}, not stored yet; kept until its submission is")]
        public static partial void Kept(ILogger logger, string channel, string channelMessageId, MessageState state, string? error);
    }
}
