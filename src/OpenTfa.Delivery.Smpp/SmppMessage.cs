namespace OpenTfa.Delivery.Smpp;

/// <summary>One text message to submit.</summary>
public sealed class SmppMessage
{
    /// <summary>
    /// The sender: an alphanumeric name (at most 11 characters), an international number
    /// (digits, a leading + allowed), a short code (at most 8 digits), or empty for the SMSC's default.
    /// </summary>
    public required string Source { get; init; }

    /// <summary>International number, digits only (a leading + is tolerated and removed).</summary>
    public required string Destination { get; init; }

    /// <summary>The text; it may contain a PIN and is never logged.</summary>
    public required string Text { get; init; }

    /// <summary>Ask the SMSC for a delivery receipt (registered_delivery = 1).</summary>
    public bool RequestDeliveryReceipt { get; init; } = true;
}
