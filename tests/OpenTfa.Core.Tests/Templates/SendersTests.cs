using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Templates;

public sealed class SendersTests
{
    [Theory]
    [InlineData("InfoSMS")]
    [InlineData("A")]
    [InlineData("ElevenChars")]
    [InlineData("Acme Bank")]
    [InlineData("A-B.C_D&E")]
    [InlineData("41793026727")]
    [InlineData("+41793026727")]
    [InlineData("1234567890123456")]
    [InlineData("+1234567890123456")]
    public void Validate_AcceptableSender_IsNull(string sender)
    {
        Assert.Null(Senders.Validate(sender));
    }

    [Fact]
    public void Validate_Empty_IsRefused()
    {
        Assert.Equal("must not be empty", Senders.Validate(string.Empty));
    }

    [Theory]
    [InlineData("12345678901234567")]
    [InlineData("+12345678901234567")]
    public void Validate_NumericOverSixteenDigits_IsRefused(string sender)
    {
        Assert.Equal("a numeric sender must be at most 16 digits", Senders.Validate(sender));
    }

    [Theory]
    [InlineData("TwelveChars1")]
    [InlineData("Info\nSMS")]
    [InlineData("Info\rSMS")]
    [InlineData("Zürich")]
    [InlineData("Info@SMS")]
    [InlineData("+")]
    [InlineData("+41 79")]
    [InlineData("Ваш")]
    public void Validate_BadAlphanumericSender_IsRefused(string sender)
    {
        Assert.StartsWith("an alphanumeric sender must be at most 11", Senders.Validate(sender));
    }
}
