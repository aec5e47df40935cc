using OpenTfa.Core.Numbers;

namespace OpenTfa.Core.Tests.Numbers;

public sealed class DestinationsTests
{
    [Theory]
    [InlineData("41793026727")]
    [InlineData("+41793026727")]
    [InlineData("+41 79 302 67 27")]
    [InlineData("0041793026727")]
    [InlineData("00 41 79 302 67 27")]
    [InlineData("+41-79-302-67-27")]
    [InlineData("+41 (79) 302.67.27")]
    [InlineData("  +41793026727  ")]
    public void CanonicalPhone_AcceptedSpellings_GiveInternationalDigits(string to)
    {
        Assert.Equal("41793026727", Destinations.CanonicalPhone(to));
    }

    [Theory]
    [InlineData("41793O26727")]
    [InlineData("+41 79 CALL ME")]
    [InlineData("tel:+41793026727")]
    [InlineData("41793026727#")]
    [InlineData("4179302+6727")]
    [InlineData("++41793026727")]
    [InlineData("41\t793026727")]
    [InlineData("jane@example.com")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+")]
    public void CanonicalPhone_NotANumber_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalPhone(to));
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("+1 2345")]
    [InlineData("0012345")]
    public void CanonicalPhone_FewerThanSixDigits_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalPhone(to));
    }

    [Theory]
    [InlineData("123456", "123456")]
    [InlineData("123456789012345", "123456789012345")]
    [InlineData("00123456789012345", "123456789012345")]
    public void CanonicalPhone_SixToFifteenDigits_IsAccepted(string to, string expected)
    {
        Assert.Equal(expected, Destinations.CanonicalPhone(to));
    }

    [Theory]
    [InlineData("1234567890123456")]
    [InlineData("+1234567890123456")]
    [InlineData("001234567890123456")]
    public void CanonicalPhone_MoreThanFifteenDigits_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalPhone(to));
    }

    [Fact]
    public void CanonicalPhone_VeryLongInput_IsNullWithoutFailing()
    {
        Assert.Null(Destinations.CanonicalPhone(new string('1', 10_000)));
        Assert.Null(Destinations.CanonicalPhone("+41" + new string('7', 100)));
    }

    [Theory]
    [InlineData("0793026727")]
    [InlineData("079 302 67 27")]
    [InlineData("+0041793026727")]
    [InlineData("000041793026727")]
    public void CanonicalPhone_NationalOrLeadingZeroAfterPrefix_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalPhone(to));
    }

    [Theory]
    [InlineData("41793026727")]
    [InlineData("14155552671")]
    [InlineData("447911123456")]
    [InlineData("4915123456789")]
    public void Check_ValidNumber_IsNotConfigured(string phone)
    {
        Assert.Equal(NumberCheck.NotConfigured, Destinations.Check(phone));
    }

    [Theory]
    [InlineData("41000000000")]
    [InlineData("999999999999")]
    [InlineData("4179302")]
    [InlineData("417930267270000")]
    [InlineData("10000000000")]
    public void Check_NumberThatCannotExist_IsNotReachable(string phone)
    {
        Assert.Equal(NumberCheck.NotReachable, Destinations.Check(phone));
    }

    [Theory]
    [InlineData("41793026727", "MOBILE")]
    [InlineData("442071838750", "FIXED_LINE")]
    [InlineData("999999999999", "UNKNOWN")]
    public void NumberType_GivesLibphonenumbersTypeOrUnknown(string phone, string type)
    {
        Assert.Equal(type, Destinations.NumberType(phone));
    }

    [Fact]
    public void PlanAnswers_AfterMoreNumbersThanAreRemembered_AreTheSameAsBefore()
    {
        (string, string, NumberCheck) Answers(string phone) => (Destinations.Country(phone), Destinations.NumberType(phone), Destinations.Check(phone));
        (string, string, NumberCheck) mobile = Answers("41793026727");
        (string, string, NumberCheck) landline = Answers("442071838750");

        // 20 000 other numbers, from many threads: the remembered answers start afresh at least twice.
        Parallel.For(0, 20_000, i => Destinations.Country("4179" + (3_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(("CH", "MOBILE", NumberCheck.NotConfigured), mobile);
        Assert.Equal(mobile, Answers("41793026727"));
        Assert.Equal(("GB", "FIXED_LINE", NumberCheck.NotConfigured), landline);
        Assert.Equal(landline, Answers("442071838750"));
    }

    [Theory]
    [InlineData("41793026727", "CH")]
    [InlineData("14155552671", "US")]
    [InlineData("442071838750", "GB")]
    [InlineData("4915123456789", "DE")]
    [InlineData("999999999999", "ZZ")]
    public void Country_GivesTheRegionOrZz(string phone, string region)
    {
        Assert.Equal(region, Destinations.Country(phone));
    }

    [Theory]
    [InlineData("jane@example.com", "jane@example.com")]
    [InlineData("Jane.Doe@Example.COM", "jane.doe@example.com")]
    [InlineData("  jane@example.com ", "jane@example.com")]
    [InlineData("jane@example.com\r\n", "jane@example.com")]
    [InlineData("jane+2fa@mail.example.co.uk", "jane+2fa@mail.example.co.uk")]
    public void CanonicalEmail_OneAddress_IsLowerCased(string to, string expected)
    {
        Assert.Equal(expected, Destinations.CanonicalEmail(to));
    }

    [Theory]
    [InlineData("Jane <jane@example.com>")]
    [InlineData("<jane@example.com>")]
    [InlineData("\"Jane\" <jane@example.com>")]
    [InlineData("jane@example.com (Jane)")]
    public void CanonicalEmail_DisplayNameOrBrackets_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalEmail(to));
    }

    [Theory]
    [InlineData("jane @example.com")]
    [InlineData("jane@example.com\r\nBcc: eve@example.com")]
    [InlineData("jane@exam\rple.com")]
    [InlineData("jane@example.com\0")]
    [InlineData("jane@example.com, joe@example.com")]
    [InlineData("jane@example.com,joe@example.com")]
    [InlineData("jane@example.com;joe@example.com")]
    [InlineData("jane")]
    [InlineData("@example.com")]
    [InlineData("jane@")]
    [InlineData("")]
    [InlineData("   ")]
    public void CanonicalEmail_NotExactlyOneAddress_IsNull(string to)
    {
        Assert.Null(Destinations.CanonicalEmail(to));
    }

    [Fact]
    public void CanonicalEmail_Over254Characters_IsNull()
    {
        string local = new('a', 64);
        string address = $"{local}@{new string('b', 63)}.{new string('c', 63)}.{new string('d', 63)}";

        Assert.True(address.Length > 254);
        Assert.Null(Destinations.CanonicalEmail(address));
    }

    [Theory]
    [InlineData("41793026727", "*******6727")]
    [InlineData("123456", "**3456")]
    [InlineData("12345", "*2345")]
    [InlineData("1234", "****")]
    [InlineData("12", "****")]
    public void Mask_PhoneNumber_ShowsAtMostTheLastFourDigits(string phone, string expected)
    {
        string masked = Destinations.Mask(phone);

        Assert.Equal(expected, masked);
        Assert.True(masked.Count(char.IsAsciiDigit) <= 4);
    }

    [Theory]
    [InlineData("jane.doe@example.com", "j***@example.com")]
    [InlineData("j@example.com", "j***@example.com")]
    public void Mask_EmailAddress_ShowsFirstLetterAndDomainOnly(string address, string expected)
    {
        string masked = Destinations.Mask(address);

        Assert.Equal(expected, masked);
        Assert.DoesNotContain("ane", masked);
    }
}
