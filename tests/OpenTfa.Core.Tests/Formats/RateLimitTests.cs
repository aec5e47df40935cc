using OpenTfa.Core.Formats;

namespace OpenTfa.Core.Tests.Formats;

public sealed class RateLimitTests
{
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    [Theory]
    [InlineData("2/4s", 2, 4.0)]
    [InlineData("5000/12h", 5000, 12 * 3600.0)]
    [InlineData("10000/3d", 10000, 3 * 86400.0)]
    [InlineData("3/1d", 3, 86400.0)]
    [InlineData("1/3s", 1, 3.0)]
    [InlineData("30/10s", 30, 10.0)]
    [InlineData("10/20m", 10, 1200.0)]
    [InlineData("3/d", 3, 86400.0)]
    [InlineData("1/500ms", 1, 0.5)]
    public void Parse_ValidLimit_GivesCountAndWindow(string text, int count, double windowSeconds)
    {
        Assert.True(RateLimit.TryParse(text, DurationFormat.OneYear, out RateLimit limit, out string error), error);
        Assert.Equal(new RateLimit(count, TimeSpan.FromSeconds(windowSeconds)), limit);
        Assert.Equal(string.Empty, error);
    }

    [Theory]
    [InlineData("/1d", "not a valid limit")]
    [InlineData("3", "not a valid limit")]
    [InlineData("3s", "not a valid limit")]
    [InlineData("0/1d", "positive whole number of attempts")]
    [InlineData("-1/1d", "positive whole number of attempts")]
    [InlineData("+1/1d", "positive whole number of attempts")]
    [InlineData(" 3/1d", "positive whole number of attempts")]
    [InlineData("x/1d", "positive whole number of attempts")]
    [InlineData("1.5/1d", "positive whole number of attempts")]
    [InlineData("99999999999/1d", "positive whole number of attempts")]
    [InlineData("3/", "invalid window: must not be empty")]
    [InlineData("3/0s", "invalid window")]
    [InlineData("3/1w", "invalid window")]
    [InlineData("3/1d/2", "invalid window")]
    [InlineData("3/1d ", "invalid window")]
    [InlineData("3/366d", "must not exceed one year")]
    public void Parse_InvalidLimit_IsRefusedNamingTheValue(string text, string reason)
    {
        Assert.False(RateLimit.TryParse(text, DurationFormat.OneYear, out RateLimit limit, out string error));
        Assert.Equal(default, limit);
        Assert.StartsWith($"'{text}'", error);
        Assert.Contains(reason, error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Parse_Empty_IsRefused(string? text)
    {
        Assert.False(RateLimit.TryParse(text, DurationFormat.OneYear, out _, out string error));
        Assert.Equal("must not be empty", error);
    }

    [Theory]
    [InlineData("1/2d")]
    [InlineData("1/25h")]
    [InlineData("1/1441m")]
    [InlineData("1/86401s")]
    public void Parse_VerifyWindowOverOneDay_IsRefusedWithOneDayMaximum(string text)
    {
        Assert.False(RateLimit.TryParse(text, OneDay, out _, out string error));
        Assert.Contains("must not exceed one day", error);
    }

    [Theory]
    [InlineData("1/1d")]
    [InlineData("1/24h")]
    [InlineData("5/1440m")]
    public void Parse_VerifyWindowOfExactlyOneDay_IsAccepted(string text)
    {
        Assert.True(RateLimit.TryParse(text, OneDay, out RateLimit limit, out string error), error);
        Assert.Equal(OneDay, limit.Window);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatExceptionWithTheReason()
    {
        var exception = Assert.Throws<FormatException>(() => RateLimit.Parse("0/1d", DurationFormat.OneYear));
        Assert.Equal("'0/1d' must start with a positive whole number of attempts", exception.Message);
    }

    [Fact]
    public void Parse_Valid_ReturnsTheLimit()
    {
        Assert.Equal(new RateLimit(3, OneDay), RateLimit.Parse("3/1d", DurationFormat.OneYear));
    }
}
