using System.Diagnostics.CodeAnalysis;

namespace OpenTfa.Delivery.Smpp.Encoding;

/// <summary>A text ready for submit_sm: its data_coding and one short_message per segment.</summary>
public sealed class EncodedSms
{
    internal EncodedSms(byte dataCoding, IReadOnlyList<byte[]> segments, int textUnits)
    {
        DataCoding = dataCoding;
        Segments = segments;
        TextUnits = textUnits;
    }

    /// <summary><see cref="SmsDataCoding.GsmDefault"/> or <see cref="SmsDataCoding.Ucs2"/>.</summary>
    public byte DataCoding { get; }

    /// <summary>short_message of each segment; with more than one, each starts with the concatenation UDH.</summary>
    public IReadOnlyList<byte[]> Segments { get; }

    /// <summary>True when the segments carry a user data header (esm_class 0x40 must be set).</summary>
    public bool HasUserDataHeader => Segments.Count > 1;

    /// <summary>Length of the whole text in septets (GSM) or UTF-16 code units (UCS-2).</summary>
    public int TextUnits { get; }
}

/// <summary>
/// Chooses the coding and cuts a text into SMS segments.
/// GSM 03.38 when every character is in the default alphabet or its extension (sent unpacked,
/// one septet per octet), otherwise UCS-2. One message holds 160 septets or 70 UCS-2 units;
/// longer texts become segments of 153 septets or 67 units behind a 6-octet concatenation UDH.
/// A segment never ends between an escape and its extension code, nor inside a surrogate pair.
/// </summary>
public static class SmsEncoder
{
    public const int GsmSingleMaxSeptets = 160;
    public const int GsmSegmentMaxSeptets = 153;
    public const int Ucs2SingleMaxUnits = 70;
    public const int Ucs2SegmentMaxUnits = 67;

    /// <summary>The reference number of a UDH is one octet, and so is the segment count.</summary>
    public const int MaxSegments = 255;

    /// <summary>Encodes the text; false when it needs more than <see cref="MaxSegments"/> segments.</summary>
    public static bool TryEncode(string text, byte reference, [NotNullWhen(true)] out EncodedSms? encoded)
    {
        ArgumentNullException.ThrowIfNull(text);
        encoded = GsmAlphabet.TryCountSeptets(text, out var septets)
            ? EncodeGsm(text, septets, reference)
            : EncodeUcs2(text, reference);
        return encoded is not null;
    }

    public static EncodedSms Encode(string text, byte reference) =>
        TryEncode(text, reference, out var encoded)
            ? encoded
            : throw new ArgumentException($"The text needs more than {MaxSegments} SMS segments.", nameof(text));

    /// <summary>How many segments the text takes.</summary>
    public static int CountSegments(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return GsmAlphabet.TryCountSeptets(text, out var septets)
            ? (septets <= GsmSingleMaxSeptets ? 1 : CutGsm(text).Count)
            : (text.Length <= Ucs2SingleMaxUnits ? 1 : CutUcs2(text).Count);
    }

    private static EncodedSms? EncodeGsm(string text, int septets, byte reference)
    {
        if (septets <= GsmSingleMaxSeptets)
        {
            return new EncodedSms(SmsDataCoding.GsmDefault, [GsmAlphabet.Encode(text)], septets);
        }

        var ranges = CutGsm(text);
        return ranges.Count > MaxSegments
            ? null
            : new EncodedSms(SmsDataCoding.GsmDefault, WithHeaders(text, ranges, reference, GsmAlphabet.Encode), septets);
    }

    private static EncodedSms? EncodeUcs2(string text, byte reference)
    {
        if (text.Length <= Ucs2SingleMaxUnits)
        {
            return new EncodedSms(SmsDataCoding.Ucs2, [EncodeUcs2Units(text)], text.Length);
        }

        var ranges = CutUcs2(text);
        return ranges.Count > MaxSegments
            ? null
            : new EncodedSms(SmsDataCoding.Ucs2, WithHeaders(text, ranges, reference, EncodeUcs2Units), text.Length);
    }

    private delegate byte[] SpanEncoder(ReadOnlySpan<char> text);

    private static byte[][] WithHeaders(string text, List<Range> ranges, byte reference, SpanEncoder encode)
    {
        var segments = new byte[ranges.Count][];
        for (var i = 0; i < ranges.Count; i++)
        {
            var body = encode(text.AsSpan()[ranges[i]]);
            var segment = new byte[UserDataHeader.Concatenation8BitLength + body.Length];
            UserDataHeader.Concatenation8Bit(reference, (byte)ranges.Count, (byte)(i + 1)).CopyTo(segment, 0);
            body.CopyTo(segment, UserDataHeader.Concatenation8BitLength);
            segments[i] = segment;
        }

        return segments;
    }

    // Whole characters only, so an escape pair is never split.
    private static List<Range> CutGsm(string text)
    {
        var ranges = new List<Range>();
        var start = 0;
        var septets = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var length = GsmAlphabet.SeptetLength(text[i]);
            if (septets + length > GsmSegmentMaxSeptets)
            {
                ranges.Add(start..i);
                start = i;
                septets = 0;
            }

            septets += length;
        }

        ranges.Add(start..text.Length);
        return ranges;
    }

    private static List<Range> CutUcs2(string text)
    {
        var ranges = new List<Range>();
        var start = 0;
        while (start < text.Length)
        {
            var end = Math.Min(start + Ucs2SegmentMaxUnits, text.Length);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end]))
            {
                end--;
            }

            ranges.Add(start..end);
            start = end;
        }

        return ranges;
    }

    private static byte[] EncodeUcs2Units(ReadOnlySpan<char> text)
    {
        // Unit by unit, so a lone surrogate keeps its own code unit instead of becoming U+FFFD
        // and the octet count always equals twice the unit count the segmenter planned for.
        var bytes = new byte[text.Length * 2];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[2 * i] = (byte)(text[i] >> 8);
            bytes[(2 * i) + 1] = (byte)text[i];
        }

        return bytes;
    }
}
