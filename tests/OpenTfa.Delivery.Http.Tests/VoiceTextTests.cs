using OpenTfa.Delivery.Http.Voice;

namespace OpenTfa.Delivery.Http.Tests;

public sealed class VoiceTextTests
{
    [Theory]
    [InlineData("Your pin is 1598", "Your pin is 1, 5, 9, 8.")]
    [InlineData("Your pin is 1598.", "Your pin is 1, 5, 9, 8.")]
    [InlineData("7F3A9C is your ACME code", "7, F, 3, A, 9, C is your ACME code.")]
    [InlineData("Your code is QWER", "Your code is Q, W, E, R.")]
    [InlineData("Ihr Code lautet 004711, gültig 10 Minuten", "Ihr Code lautet 0, 0, 4, 7, 1, 1, gültig 10 Minuten.")]
    [InlineData("1234", "1, 2, 3, 4.")]
    public void Spell_ReadsThePinCharacterByCharacter_WithPauses(string text, string spoken) =>
        Assert.Equal(spoken, SpokenPin.Spell(text));

    [Theory]
    [InlineData("en", "en-US")]
    [InlineData("de", "de-DE")]
    [InlineData("pt_br", "pt-BR")]
    [InlineData("pt-br", "pt-BR")]
    [InlineData("zh_tw", "zh-TW")]
    [InlineData(null, "en-GB")]
    [InlineData("xx", "en-GB")]
    public void Locale_MapsTheTwoFactorLanguage(string? language, string locale) =>
        Assert.Equal(locale, SpokenPin.Locale(language, new Dictionary<string, string>(), "en-GB"));

    [Fact]
    public void Locale_OperatorMapWins() =>
        Assert.Equal("cmn-CN", SpokenPin.Locale("zh_cn", new Dictionary<string, string> { ["zh_cn"] = "cmn-CN" }, "en-US"));

    [Theory]
    [InlineData(0.5, "50%")]
    [InlineData(0.8, "80%")]
    [InlineData(2.0, "200%")]
    [InlineData(1.0, null)]
    [InlineData(null, null)]
    public void ProsodyRate_FromSpeechRate(double? rate, string? prosody) => Assert.Equal(prosody, SpokenPin.ProsodyRate(rate));

    [Theory]
    [InlineData("1#", "1", '#')]
    [InlineData("12", "12", null)]
    [InlineData("*9#", "*9", '#')]
    public void RepeatKeys_SplitDigitsAndFinishKey(string dtmf, string digits, char? finish)
    {
        RepeatKeys keys = RepeatKeys.Parse(dtmf)!;
        Assert.Equal(digits, keys.Digits);
        Assert.Equal(finish, keys.FinishKey);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("#")]
    [InlineData("1a#")]
    public void RepeatKeys_NoneOrInvalid_IsNull(string? dtmf) => Assert.Null(RepeatKeys.Parse(dtmf));
}
