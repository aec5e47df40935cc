using OpenTfa.Delivery.Smpp.Encoding;
using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp.Receipts;

/// <summary>
/// A delivery receipt from the SMSC. <see cref="MessageId"/> is the id the SMSC gave in
/// submit_sm_resp; a receipt can arrive before that answer was read, so the consumer matches
/// receipts to messages itself (and keeps an unmatched one for a while).
/// </summary>
public sealed class SmppDeliveryReceipt
{
    /// <summary>The receipted_message_id TLV, else the text's id: field, else empty.</summary>
    public required string MessageId { get; init; }

    /// <summary>The message_state TLV, else the text's stat: field, else Unknown.</summary>
    public required SmppMessageState State { get; init; }

    public bool IsFinal => State.IsFinal();

    /// <summary>The stat: field as written (e.g. DELIVRD), if the text had one.</summary>
    public string? Stat { get; init; }

    /// <summary>The err: field as written: a network- or SMSC-specific error code.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The network_error_code TLV: network type and its error code.</summary>
    public (byte NetworkType, ushort ErrorCode)? NetworkError { get; init; }

    public int? Submitted { get; init; }

    public int? Delivered { get; init; }

    public DateTime? SubmitDate { get; init; }

    public DateTime? DoneDate { get; init; }

    /// <summary>Whether <see cref="DoneDate"/> has seconds; a date of whole minutes says little about when a PIN arrived.</summary>
    public bool DoneDateHasSeconds { get; init; }

    /// <summary>The handset the message went to (the receipt's source_addr).</summary>
    public string Recipient { get; init; } = string.Empty;

    /// <summary>The sender of the original message (the receipt's destination_addr).</summary>
    public string Sender { get; init; } = string.Empty;

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>Builds a receipt from a deliver_sm whose esm_class marks it as one.</summary>
    public static SmppDeliveryReceipt FromDeliverSm(DeliverSm pdu, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var text = DeliveryReceiptText.Parse(ReadText(pdu));
        var tlvId = pdu.ReceiptedMessageId;
        var tlvState = pdu.MessageState;
        return new SmppDeliveryReceipt
        {
            MessageId = !string.IsNullOrEmpty(tlvId) ? tlvId : text?.Id ?? string.Empty,
            State = tlvState is { } state ? SmppMessageStates.FromMessageStateTlv(state) : SmppMessageStates.FromStat(text?.Stat),
            Stat = text?.Stat,
            ErrorCode = text?.Err,
            NetworkError = pdu.NetworkErrorCode,
            Submitted = text?.Submitted,
            Delivered = text?.Delivered,
            SubmitDate = text?.SubmitDate,
            DoneDate = text?.DoneDate,
            DoneDateHasSeconds = text?.DoneDateHasSeconds ?? false,
            Recipient = pdu.SourceAddr,
            Sender = pdu.DestinationAddr,
            ReceivedAt = receivedAt,
        };
    }

    // Receipt texts are ASCII whatever data_coding says, except when an SMSC sends UCS-2.
    private static string ReadText(DeliverSm pdu)
    {
        ReadOnlySpan<byte> octets = pdu.ShortMessage.Length > 0 ? pdu.ShortMessage : pdu.MessagePayload ?? [];
        if (pdu.HasUserDataHeader && UserDataHeader.TryParse(octets, out var headerLength, out _))
        {
            octets = octets[headerLength..];
        }

        return pdu.DataCoding == SmsDataCoding.Ucs2
            ? System.Text.Encoding.BigEndianUnicode.GetString(octets[..(octets.Length & ~1)])
            : System.Text.Encoding.Latin1.GetString(octets);
    }
}
