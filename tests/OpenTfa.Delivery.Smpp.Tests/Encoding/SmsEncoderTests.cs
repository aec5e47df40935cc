using OpenTfa.Delivery.Smpp.Encoding;

namespace OpenTfa.Delivery.Smpp.Tests.Encoding;

public class SmsEncoderTests
{
    private static string Reassemble(EncodedSms sms)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in sms.Segments)
        {
            var body = segment.AsSpan();
            if (sms.HasUserDataHeader)
            {
                Assert.True(UserDataHeader.TryParse(body, out var headerLength, out _));
                body = body[headerLength..];
            }

            text.Append(SmsDataCoding.Decode(sms.DataCoding, body));
        }

        return text.ToString();
    }

    [Fact]
    public void Encode_ShortGsmText_IsOneUnpackedSegment()
    {
        var sms = SmsEncoder.Encode("Your PIN is 1234", 7);

        Assert.Equal(SmsDataCoding.GsmDefault, sms.DataCoding);
        var segment = Assert.Single(sms.Segments);
        Assert.Equal(System.Text.Encoding.ASCII.GetBytes("Your PIN is 1234"), segment);
        Assert.False(sms.HasUserDataHeader);
    }

    [Fact]
    public void Encode_160Septets_IsOneSegment()
    {
        var sms = SmsEncoder.Encode(new string('a', 160), 1);

        Assert.Equal(160, Assert.Single(sms.Segments).Length);
    }

    [Fact]
    public void Encode_159SeptetsPlusExtensionCharacter_NeedsTwoSegments()
    {
        var text = new string('a', 159) + "€";

        var sms = SmsEncoder.Encode(text, 1);

        Assert.Equal(2, sms.Segments.Count);
        Assert.Equal(161, sms.TextUnits);
        Assert.Equal(text, Reassemble(sms));
    }

    [Fact]
    public void Encode_300CharacterGsmText_IsTwoSegmentsWithConcatenationHeaders()
    {
        var text = string.Concat(Enumerable.Repeat("Your code is 4711. ", 16))[..300];

        var sms = SmsEncoder.Encode(text, 0xAB);

        Assert.Equal(SmsDataCoding.GsmDefault, sms.DataCoding);
        Assert.Equal(2, sms.Segments.Count);
        Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 0xAB, 0x02, 0x01 }, sms.Segments[0][..6]);
        Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 0xAB, 0x02, 0x02 }, sms.Segments[1][..6]);
        Assert.Equal(6 + 153, sms.Segments[0].Length);
        Assert.Equal(6 + 147, sms.Segments[1].Length);
        Assert.Equal(text, Reassemble(sms));
    }

    [Fact]
    public void Encode_EscapeAtSegmentBoundary_MovesWholePairToNextSegment()
    {
        // 152 septets then '{' (two septets): the pair does not fit in the first 153.
        var text = new string('x', 152) + "{" + new string('y', 20);

        var sms = SmsEncoder.Encode(text, 1);

        Assert.Equal(6 + 152, sms.Segments[0].Length);
        Assert.Equal(new byte[] { 0x1B, 0x28 }, sms.Segments[1][6..8]);
        Assert.All(sms.Segments, s => Assert.NotEqual(GsmAlphabet.Escape, s[^1]));
        Assert.Equal(text, Reassemble(sms));
    }

    [Fact]
    public void Encode_ShortUnicodeText_IsOneUcs2Segment()
    {
        var sms = SmsEncoder.Encode("Код 1234", 1);

        Assert.Equal(SmsDataCoding.Ucs2, sms.DataCoding);
        Assert.Equal(System.Text.Encoding.BigEndianUnicode.GetBytes("Код 1234"), Assert.Single(sms.Segments));
    }

    [Fact]
    public void Encode_70Ucs2Units_IsOneSegment()
    {
        var sms = SmsEncoder.Encode(new string('ж', 70), 1);

        Assert.Equal(140, Assert.Single(sms.Segments).Length);
    }

    [Fact]
    public void Encode_100CharacterUcs2Text_IsTwoSegmentsOf67And33Units()
    {
        var text = string.Concat(Enumerable.Repeat("Ваш код 4711. ", 8))[..100];

        var sms = SmsEncoder.Encode(text, 3);

        Assert.Equal(SmsDataCoding.Ucs2, sms.DataCoding);
        Assert.Equal(2, sms.Segments.Count);
        Assert.Equal(6 + (67 * 2), sms.Segments[0].Length);
        Assert.Equal(6 + (33 * 2), sms.Segments[1].Length);
        Assert.Equal(text, Reassemble(sms));
    }

    [Fact]
    public void Encode_SurrogatePairAtSegmentBoundary_IsNotSplit()
    {
        // 66 units, then an emoji (two units) that would straddle unit 67.
        var text = new string('ж', 66) + "😀" + new string('ж', 10);

        var sms = SmsEncoder.Encode(text, 1);

        Assert.Equal(6 + (66 * 2), sms.Segments[0].Length);
        Assert.Equal(System.Text.Encoding.BigEndianUnicode.GetBytes("😀"), sms.Segments[1][6..10]);
        Assert.Equal(text, Reassemble(sms));
    }

    [Fact]
    public void Encode_OneNonGsmCharacter_SwitchesWholeTextToUcs2()
    {
        var sms = SmsEncoder.Encode("PIN 1234 ✓", 1);

        Assert.Equal(SmsDataCoding.Ucs2, sms.DataCoding);
    }

    [Fact]
    public void Encode_EmptyText_IsOneEmptySegment() =>
        Assert.Empty(Assert.Single(SmsEncoder.Encode(string.Empty, 1).Segments));

    [Fact]
    public void TryEncode_MoreThan255Segments_Fails() =>
        Assert.False(SmsEncoder.TryEncode(new string('a', (153 * 255) + 1), 1, out _));

    [Theory]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    public void CountSegments_GsmText_Counts(int length, int segments) =>
        Assert.Equal(segments, SmsEncoder.CountSegments(new string('a', length)));

    [Fact]
    public void TryParse_SixteenBitReference_ReadsConcatenation()
    {
        byte[] data = [0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 0x41];

        Assert.True(UserDataHeader.TryParse(data, out var length, out var concatenation));

        Assert.Equal(7, length);
        Assert.Equal(new SmsConcatenation(0x1234, 3, 2), concatenation);
    }
}
