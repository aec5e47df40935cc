using OpenTfa.Core.Formats;

namespace OpenTfa.Core.Tests.Formats;

public sealed class DurationFormatTests
{
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    [Theory]
    [InlineData("250ms", 0, 0, 0, 0, 250)]
    [InlineData("30s", 0, 0, 0, 30, 0)]
    [InlineData("15m", 0, 0, 15, 0, 0)]
    [InlineData("2h", 0, 2, 0, 0, 0)]
    [InlineData("3d", 3, 0, 0, 0, 0)]
    public void Parse_EachUnit_GivesThatDuration(string text, int days, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.True(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error), error);
        Assert.Equal(new TimeSpan(days, hours, minutes, seconds, milliseconds), value);
        Assert.Equal(string.Empty, error);
    }

    [Theory]
    [InlineData("ms", 1L)]
    [InlineData("s", 1_000L)]
    [InlineData("m", 60_000L)]
    [InlineData("h", 3_600_000L)]
    [InlineData("d", 86_400_000L)]
    public void Parse_LengthOmitted_MeansOne(string text, long expectedMilliseconds)
    {
        Assert.True(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Fact]
    public void Parse_BareM_MeansOneMinuteNotOneMillisecond()
    {
        Assert.True(DurationFormat.TryParse("m", DurationFormat.OneYear, out TimeSpan value, out _));
        Assert.Equal(TimeSpan.FromMinutes(1), value);
    }

    [Fact]
    public void Parse_LeadingZeros_AreIgnored()
    {
        Assert.True(DurationFormat.TryParse("010s", DurationFormat.OneYear, out TimeSpan value, out _));
        Assert.Equal(TimeSpan.FromSeconds(10), value);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0ms")]
    [InlineData("0d")]
    [InlineData("000m")]
    public void Parse_Zero_IsRefusedAsNotPositive(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains("positive", error);
        Assert.Contains($"'{text}'", error);
    }

    [Theory]
    [InlineData("-5m")]
    [InlineData("+5m")]
    [InlineData("-1s")]
    public void Parse_Sign_IsRefused(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Contains($"'{text}'", error);
    }

    [Theory]
    [InlineData(" 5m")]
    [InlineData("5m ")]
    [InlineData("5 m")]
    [InlineData("\t5m")]
    public void Parse_Whitespace_IsRefused(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Contains($"'{text}'", error);
    }

    [Theory]
    [InlineData("5M")]
    [InlineData("5S")]
    [InlineData("5MS")]
    [InlineData("5H")]
    [InlineData("5D")]
    [InlineData("5Ms")]
    public void Parse_UpperCaseUnit_IsRefused(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Contains($"'{text}'", error);
        Assert.Contains("ms, s, m, h or d", error);
    }

    [Theory]
    [InlineData("5w")]
    [InlineData("5y")]
    [InlineData("5sec")]
    [InlineData("5min")]
    [InlineData("5")]
    [InlineData("ms5")]
    [InlineData("1.5h")]
    [InlineData("５s")]
    public void Parse_UnknownUnitOrShape_IsRefusedNamingTheValue(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains($"'{text}'", error);
        Assert.Contains("not a valid time", error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parse_Empty_IsRefused(string? text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Equal("must not be empty", error);
    }

    [Theory]
    [InlineData("99999999999999999999d")]
    [InlineData("99999999999999999999999999999999999999ms")]
    public void Parse_LengthBeyondAWholeNumber_IsRefusedAsTooLarge(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Contains($"'{text}'", error);
        Assert.Contains("too large", error);
    }

    [Theory]
    [InlineData("9223372036854775807ms")]
    [InlineData("9223372036854775807d")]
    [InlineData("922337203685477s")]
    public void Parse_HugeLengthThatWouldOverflowTicks_IsRefusedWithoutOverflow(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Contains("must not exceed one year", error);
    }

    [Theory]
    [InlineData("365d")]
    [InlineData("8760h")]
    [InlineData("525600m")]
    [InlineData("31536000s")]
    [InlineData("31536000000ms")]
    public void Parse_ExactlyOneYear_IsAccepted(string text)
    {
        Assert.True(DurationFormat.TryParse(text, DurationFormat.OneYear, out TimeSpan value, out string error), error);
        Assert.Equal(TimeSpan.FromDays(365), value);
    }

    [Theory]
    [InlineData("366d")]
    [InlineData("8761h")]
    [InlineData("525601m")]
    [InlineData("31536001s")]
    [InlineData("31536000001ms")]
    public void Parse_OneYearPlusOneUnit_IsRefused(string text)
    {
        Assert.False(DurationFormat.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Equal($"'{text}' must not exceed one year", error);
    }

    [Fact]
    public void Parse_OneDayMaximum_AcceptsTwentyFourHoursAndRefusesMore()
    {
        Assert.True(DurationFormat.TryParse("24h", OneDay, out TimeSpan value, out _));
        Assert.Equal(OneDay, value);
        Assert.False(DurationFormat.TryParse("1441m", OneDay, out _, out string error));
        Assert.Equal("'1441m' must not exceed one day", error);
    }
}
