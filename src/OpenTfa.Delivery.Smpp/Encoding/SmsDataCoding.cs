namespace OpenTfa.Delivery.Smpp.Encoding;

/// <summary>data_coding values (SMPP 3.4 section 5.2.19) this library sends or reads.</summary>
public static class SmsDataCoding
{
    /// <summary>SMSC default alphabet; this library sends GSM 03.38, unpacked.</summary>
    public const byte GsmDefault = 0x00;

    public const byte Ia5 = 0x01;

    public const byte Binary = 0x02;

    public const byte Latin1 = 0x03;

    public const byte Binary8Bit = 0x04;

    /// <summary>UCS-2, big-endian UTF-16 code units.</summary>
    public const byte Ucs2 = 0x08;

    /// <summary>
    /// Decodes message octets (without user data header) by data_coding: 0 GSM 03.38 unpacked,
    /// 1 IA5/ASCII, 3 Latin-1, 8 UCS-2, and the GSM message-class group 0xF0–0xFF. Binary
    /// and unknown codings give null.
    /// </summary>
    public static string? Decode(byte dataCoding, ReadOnlySpan<byte> octets)
    {
        if ((dataCoding & 0xF0) == 0xF0)
        {
            return (dataCoding & 0x04) == 0 ? GsmAlphabet.Decode(octets) : null;
        }

        return dataCoding switch
        {
            GsmDefault => GsmAlphabet.Decode(octets),
            Ia5 => System.Text.Encoding.ASCII.GetString(octets),
            Latin1 => System.Text.Encoding.Latin1.GetString(octets),
            Ucs2 => System.Text.Encoding.BigEndianUnicode.GetString(octets[..(octets.Length & ~1)]),
            _ => null,
        };
    }
}
