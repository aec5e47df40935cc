using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Templates;

public sealed class LanguagesTests
{
    [Theory]
    [InlineData("en", "en")]
    [InlineData("EN", "en")]
    [InlineData("pt-br", "pt_br")]
    [InlineData("pt_br", "pt_br")]
    [InlineData("PT_BR", "pt_br")]
    [InlineData("Pt-Br", "pt_br")]
    [InlineData("pt-pt", "pt_pt")]
    [InlineData("zh-tw", "zh_tw")]
    [InlineData("zh_CN", "zh_cn")]
    [InlineData(" de ", "de")]
    public void Normalize_KnownLanguage_AnswersTheUnderscoreLowerCaseForm(string input, string expected)
    {
        Assert.Equal(expected, Languages.Normalize(input));
    }

    [Theory]
    [InlineData("")]
    [InlineData("xx")]
    [InlineData("english")]
    [InlineData("pt")]
    [InlineData("zh")]
    [InlineData("pt br")]
    [InlineData("pt--br")]
    [InlineData("en-us")]
    public void Normalize_UnknownLanguage_IsNull(string input)
    {
        Assert.Null(Languages.Normalize(input));
    }

    [Fact]
    public void AllowedValues_ListsUnderscoreFormsOnly()
    {
        Assert.Contains("pt_br", Languages.AllowedValues);
        Assert.Contains("zh_tw", Languages.AllowedValues);
        Assert.DoesNotContain("-", Languages.AllowedValues);
        Assert.Equal("en", Languages.Default);
    }
}
