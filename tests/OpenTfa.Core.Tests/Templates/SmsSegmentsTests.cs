using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Templates;

public sealed class SmsSegmentsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Count_GsmText_Uses160ThenSegmentsOf153(int length, int segments)
    {
        Assert.Equal(segments, SmsSegments.Count(new string('a', length)));
    }

    [Fact]
    public void Count_EmptyText_IsOneSegment()
    {
        Assert.Equal(1, SmsSegments.Count(string.Empty));
    }

    [Fact]
    public void Count_WholeGsmBasicAlphabet_StaysGsm()
    {
        const string basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
            "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

        Assert.Equal(1, SmsSegments.Count(basic));
        Assert.Equal(2, SmsSegments.Count(basic + new string('a', 161 - basic.Length)));
    }

    [Theory]
    [InlineData('€')]
    [InlineData('[')]
    [InlineData(']')]
    [InlineData('{')]
    [InlineData('}')]
    [InlineData('\\')]
    [InlineData('^')]
    [InlineData('~')]
    [InlineData('|')]
    [InlineData('\f')]
    public void Count_ExtensionCharacter_CountsAsTwo(char extension)
    {
        Assert.Equal(1, SmsSegments.Count(new string('a', 158) + extension));
        Assert.Equal(2, SmsSegments.Count(new string('a', 159) + extension));
    }

    [Fact]
    public void Count_EightyEuroSigns_FillOneSegment()
    {
        Assert.Equal(1, SmsSegments.Count(new string('€', 80)));
        Assert.Equal(2, SmsSegments.Count(new string('€', 81)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    [InlineData(201, 3)]
    [InlineData(202, 4)]
    public void Count_CyrillicText_IsUcs2With70ThenSegmentsOf67(int length, int segments)
    {
        Assert.Equal(segments, SmsSegments.Count(new string('д', length)));
    }

    [Fact]
    public void Count_OneCyrillicLetterInGsmText_SwitchesToUcs2()
    {
        Assert.Equal(1, SmsSegments.Count(new string('a', 69) + "д"));
        Assert.Equal(2, SmsSegments.Count(new string('a', 70) + "д"));
        Assert.Equal(3, SmsSegments.Count("д" + new string('a', 159)));
    }

    [Fact]
    public void Count_OneEmoji_SwitchesToUcs2AndTakesTwoUnits()
    {
        // An emoji is a surrogate pair: two of the 70 (or 67) UTF-16 units.
        Assert.Equal(1, SmsSegments.Count(new string('a', 68) + "😀"));
        Assert.Equal(2, SmsSegments.Count(new string('a', 69) + "😀"));
        Assert.Equal(2, SmsSegments.Count("Your code is 1234 😀" + new string('a', 60)));
    }

    [Theory]
    [InlineData('ç')]
    [InlineData('á')]
    [InlineData('`')]
    [InlineData('\t')]
    public void Count_CharacterOutsideGsm_SwitchesToUcs2(char outside)
    {
        Assert.Equal(2, SmsSegments.Count(new string('a', 100) + outside));
    }

    [Theory]
    [InlineData(1, "1 SMS segment")]
    [InlineData(2, "2 SMS segments")]
    [InlineData(7, "7 SMS segments")]
    public void Describe_SaysHowManySegments(int segments, string expected)
    {
        Assert.Equal(expected, SmsSegments.Describe(segments));
    }

    [Theory]
    [InlineData("a\nb", true)]
    [InlineData("a\rb", true)]
    [InlineData("ab", false)]
    public void ContainsLineBreak_FindsCrAndLf(string text, bool expected)
    {
        Assert.Equal(expected, SmsSegments.ContainsLineBreak(text));
    }
}
