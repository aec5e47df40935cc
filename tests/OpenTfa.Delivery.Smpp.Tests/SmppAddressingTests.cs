namespace OpenTfa.Delivery.Smpp.Tests;

public class SmppAddressingTests
{
    private static readonly SmppConnectionOptions Defaults = new();

    [Theory]
    [InlineData("InfoSMS", 5, 0, "InfoSMS")]
    [InlineData("Open Tfa 1", 5, 0, "Open Tfa 1")]
    [InlineData("+41793026727", 1, 1, "41793026727")]
    [InlineData("41793026727", 1, 1, "41793026727")]
    [InlineData("123456789", 1, 1, "123456789")]
    [InlineData("12345678", 3, 0, "12345678")]
    [InlineData("+1234", 1, 1, "1234")]
    [InlineData("", 0, 0, "")]
    public void TryGetSource_ChoosesTonNpi(string source, byte ton, byte npi, string address)
    {
        Assert.True(SmppAddressing.TryGetSource(source, Defaults, out var result));

        Assert.Equal(new SmppAddress(ton, npi, address), result);
    }

    [Theory]
    [InlineData("TwelveChars!")]
    [InlineData("Zürich")]
    [InlineData("+41 79")]
    [InlineData("+")]
    [InlineData("123456789012345678901")]
    public void TryGetSource_Invalid_Fails(string source) =>
        Assert.False(SmppAddressing.TryGetSource(source, Defaults, out _));

    [Fact]
    public void TryGetSource_Overrides_ReplaceAutomaticChoice()
    {
        var options = new SmppConnectionOptions { SourceTon = 0, SourceNpi = 1 };

        Assert.True(SmppAddressing.TryGetSource("12345", options, out var result));

        Assert.Equal(new SmppAddress(0, 1, "12345"), result);
    }

    [Theory]
    [InlineData("41793026727", "41793026727")]
    [InlineData("+41793026727", "41793026727")]
    public void TryGetDestination_Digits_AreInternationalIsdn(string destination, string address)
    {
        Assert.True(SmppAddressing.TryGetDestination(destination, Defaults, out var result));

        Assert.Equal(new SmppAddress(1, 1, address), result);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("0041 79")]
    [InlineData("41-79")]
    [InlineData("123456789012345678901")]
    public void TryGetDestination_NotDigits_Fails(string destination) =>
        Assert.False(SmppAddressing.TryGetDestination(destination, Defaults, out _));

    [Fact]
    public void TryGetDestination_Overrides_AreUsed()
    {
        Assert.True(SmppAddressing.TryGetDestination("0791234567", new SmppConnectionOptions { DestTon = 2, DestNpi = 1 }, out var result));

        Assert.Equal(new SmppAddress(2, 1, "0791234567"), result);
    }

    [Theory]
    [InlineData("41793026727", "*******6727")]
    [InlineData("12345", "*2345")]
    [InlineData("1234", "****")]
    [InlineData("", "")]
    public void Mask_ShowsOnlyLastFour(string value, string masked) => Assert.Equal(masked, SmppAddressing.Mask(value));
}
