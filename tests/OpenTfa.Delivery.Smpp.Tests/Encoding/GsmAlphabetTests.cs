using OpenTfa.Delivery.Smpp.Encoding;

namespace OpenTfa.Delivery.Smpp.Tests.Encoding;

public class GsmAlphabetTests
{
    [Fact]
    public void Encode_BasicCharacters_UseTheirTablePositions()
    {
        var septets = GsmAlphabet.Encode("@£$¥Δ_ ¡Ä§¿äà\r\n");

        Assert.Equal(new byte[] { 0x00, 0x01, 0x02, 0x03, 0x10, 0x11, 0x20, 0x40, 0x5B, 0x5F, 0x60, 0x7B, 0x7F, 0x0D, 0x0A }, septets);
    }

    [Theory]
    [InlineData('^', 0x14)]
    [InlineData('{', 0x28)]
    [InlineData('}', 0x29)]
    [InlineData('\\', 0x2F)]
    [InlineData('[', 0x3C)]
    [InlineData('~', 0x3D)]
    [InlineData(']', 0x3E)]
    [InlineData('|', 0x40)]
    [InlineData('€', 0x65)]
    [InlineData('\f', 0x0A)]
    public void Encode_ExtensionCharacter_IsEscapedPair(char c, byte code)
    {
        Assert.Equal(new byte[] { 0x1B, code }, GsmAlphabet.Encode(c.ToString()));
        Assert.Equal(2, GsmAlphabet.SeptetLength(c));
    }

    [Fact]
    public void Decode_EveryEncodableCharacter_RoundTrips()
    {
        var all = new string(Enumerable.Range(0, 0x10000).Select(i => (char)i).Where(c => GsmAlphabet.SeptetLength(c) > 0).ToArray());

        Assert.Equal(137, all.Length);
        Assert.Equal(all, GsmAlphabet.Decode(GsmAlphabet.Encode(all)));
    }

    [Fact]
    public void Decode_EscapeBeforeUndefinedCode_ShowsBasicCharacter() =>
        Assert.Equal("A", GsmAlphabet.Decode([0x1B, 0x41]));

    [Fact]
    public void Decode_TrailingEscape_IsDropped() =>
        Assert.Equal("A", GsmAlphabet.Decode([0x41, 0x1B]));

    [Theory]
    [InlineData("Привет")]
    [InlineData("emoji 😀")]
    [InlineData("ç")]
    [InlineData("`")]
    public void TryEncode_CharacterOutsideAlphabet_Fails(string text) =>
        Assert.False(GsmAlphabet.TryEncode(text, out _));
}
