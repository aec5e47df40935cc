using OpenTfa.Core.Pins;

namespace OpenTfa.Core.Tests.Pins;

public sealed class PinTypesTests
{
    [Theory]
    [InlineData("NUMERIC", PinType.Numeric)]
    [InlineData("ALPHA", PinType.Alpha)]
    [InlineData("HEX", PinType.Hex)]
    [InlineData("ALPHANUMERIC", PinType.Alphanumeric)]
    public void TryParse_ExactSpelling_IsAccepted(string wire, PinType expected)
    {
        Assert.True(PinTypes.TryParse(wire, out PinType type));
        Assert.Equal(expected, type);
        Assert.Equal(wire, PinTypes.ToWire(type));
    }

    [Theory]
    [InlineData("numeric")]
    [InlineData("Numeric")]
    [InlineData("alpha")]
    [InlineData(" NUMERIC")]
    [InlineData("NUMERIC ")]
    [InlineData("ALPHA_NUMERIC")]
    [InlineData("DIGITS")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnyOtherSpelling_IsRefused(string? wire)
    {
        Assert.False(PinTypes.TryParse(wire, out _));
    }

    [Fact]
    public void Lengths_AreFourToTwentyWithDefaultFour()
    {
        Assert.Equal(4, PinTypes.MinLength);
        Assert.Equal(20, PinTypes.MaxLength);
        Assert.Equal(4, PinTypes.DefaultLength);
    }
}
