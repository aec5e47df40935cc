using OpenTfa.Delivery.Smpp.Encoding;
using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// A mobile-originated message (a deliver_sm that is not a receipt). Segments of a long message
/// arrive one by one; <see cref="Concatenation"/> tells where each belongs.
/// </summary>
public sealed class SmppInboundMessage
{
    public required string Source { get; init; }

    public byte SourceTon { get; init; }

    public byte SourceNpi { get; init; }

    public required string Destination { get; init; }

    public byte DestTon { get; init; }

    public byte DestNpi { get; init; }

    public byte EsmClass { get; init; }

    public byte DataCoding { get; init; }

    /// <summary>The message octets without the user data header.</summary>
    public required byte[] Body { get; init; }

    /// <summary>The body decoded by data_coding; null for binary or unknown codings.</summary>
    public string? Text { get; init; }

    /// <summary>From the UDH or the sar_* TLVs, when the message is one segment of several.</summary>
    public SmsConcatenation? Concatenation { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    public IReadOnlyList<SmppTlv> Tlvs { get; init; } = [];

    public static SmppInboundMessage FromDeliverSm(DeliverSm pdu, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var octets = pdu.ShortMessage.Length > 0 ? pdu.ShortMessage : pdu.MessagePayload ?? [];
        SmsConcatenation? concatenation = null;
        var body = octets;
        if (pdu.HasUserDataHeader && UserDataHeader.TryParse(octets, out var headerLength, out var fromHeader))
        {
            body = octets[headerLength..];
            concatenation = fromHeader;
        }

        if (concatenation is null && pdu.SarMsgRefNum is { } reference && pdu.SarTotalSegments is { } total && pdu.SarSegmentSeqnum is { } sequence)
        {
            concatenation = new SmsConcatenation(reference, total, sequence);
        }

        return new SmppInboundMessage
        {
            Source = pdu.SourceAddr,
            SourceTon = pdu.SourceAddrTon,
            SourceNpi = pdu.SourceAddrNpi,
            Destination = pdu.DestinationAddr,
            DestTon = pdu.DestAddrTon,
            DestNpi = pdu.DestAddrNpi,
            EsmClass = pdu.EsmClass,
            DataCoding = pdu.DataCoding,
            Body = body,
            Text = SmsDataCoding.Decode(pdu.DataCoding, body),
            Concatenation = concatenation,
            ReceivedAt = receivedAt,
            Tlvs = pdu.Tlvs.ToArray(),
        };
    }
}
