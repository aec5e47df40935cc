namespace OpenTfa.Delivery.Smpp.Encoding;

/// <summary>Where a segment sits in a concatenated message (1-based sequence).</summary>
public readonly record struct SmsConcatenation(int Reference, int Total, int Sequence);

/// <summary>The user data header in front of a segment's text (3GPP TS 23.040 section 9.2.3.24).</summary>
public static class UserDataHeader
{
    /// <summary>Concatenated short message, 8-bit reference (IEI 0x00).</summary>
    public const byte Concatenation8BitIei = 0x00;

    /// <summary>Concatenated short message, 16-bit reference (IEI 0x08).</summary>
    public const byte Concatenation16BitIei = 0x08;

    /// <summary>UDHL, IEI, IEDL, reference, total, sequence: six octets.</summary>
    public const int Concatenation8BitLength = 6;

    public static byte[] Concatenation8Bit(byte reference, byte total, byte sequence) =>
        [0x05, Concatenation8BitIei, 0x03, reference, total, sequence];

    /// <summary>
    /// Splits user data that starts with a header into the header's length (UDHL octet
    /// included) and its concatenation element, if it has one. False when the header is
    /// longer than the data.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> userData, out int headerLength, out SmsConcatenation? concatenation)
    {
        headerLength = 0;
        concatenation = null;
        if (userData.IsEmpty)
        {
            return false;
        }

        var udhl = userData[0];
        if (udhl + 1 > userData.Length)
        {
            return false;
        }

        headerLength = udhl + 1;
        var elements = userData.Slice(1, udhl);
        while (elements.Length >= 2)
        {
            var iei = elements[0];
            var length = elements[1];
            if (length + 2 > elements.Length)
            {
                break;
            }

            var data = elements.Slice(2, length);
            if (iei == Concatenation8BitIei && length == 3)
            {
                concatenation = new SmsConcatenation(data[0], data[1], data[2]);
            }
            else if (iei == Concatenation16BitIei && length == 4)
            {
                concatenation = new SmsConcatenation((data[0] << 8) | data[1], data[2], data[3]);
            }

            elements = elements[(length + 2)..];
        }

        return true;
    }
}
