using OpenTfa.Core.Errors;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Templates;

public sealed class TextRenderingTests
{
    private static Dictionary<string, string> Values(params (string Name, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    [Fact]
    public void Render_PinPlaceholder_IsFilledWithThePin()
    {
        var errors = new ValidationErrors();

        Assert.Equal("Your pin is 1234", TextRendering.Render("Your pin is {{pin}}", "1234", null, errors));
        Assert.False(errors.Any);
    }

    [Fact]
    public void Render_NamedPlaceholders_AreFilledFromTheValues()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("Hi {{name}}, your {{app}} code is {{pin}}. {{name}}, it expires soon.", "482913",
            Values(("name", "Jane"), ("app", "Acme")), errors);

        Assert.Equal("Hi Jane, your Acme code is 482913. Jane, it expires soon.", text);
        Assert.False(errors.Any);
    }

    [Fact]
    public void Render_NamesWithDotsDashesAndUnderscores_AreFilled()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("{{user.first-name}} {{app_name}}: {{pin}}", "1234",
            Values(("user.first-name", "Jane"), ("app_name", "Acme")), errors);

        Assert.Equal("Jane Acme: 1234", text);
    }

    [Fact]
    public void Render_MissingPlaceholder_IsReportedAgainstItsDottedPath()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("Hi {{name}}, code {{pin}}", "1234", null, errors);

        Assert.Null(text);
        string[] messages = errors.ToDictionary()["placeholders.name"];
        Assert.Equal("a value is required: the message text uses {{name}}", Assert.Single(messages));
    }

    [Fact]
    public void Render_SeveralMissingPlaceholders_AreAllReported()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("{{first}} {{user.last-name}} {{pin}}", "1234", Values(("other", "x")), errors);

        Assert.Null(text);
        Assert.Equal(["placeholders.first", "placeholders.user.last-name"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Render_ValueContainingPinPlaceholder_IsNotExpandedAgain()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("Hello {{name}}, code {{pin}}", "1234", Values(("name", "{{pin}}")), errors);

        Assert.Equal("Hello {{pin}}, code 1234", text);
    }

    [Fact]
    public void Render_ValueContainingAnotherPlaceholder_IsNotExpandedAgain()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("{{a}} / {{b}} / {{pin}}", "1234", Values(("a", "{{b}}"), ("b", "{{missing}}")), errors);

        Assert.Equal("{{b}} / {{missing}} / 1234", text);
        Assert.False(errors.Any);
    }

    [Fact]
    public void Render_UpperCasePin_IsNotThePinAndIsReportedMissing()
    {
        var errors = new ValidationErrors();

        string? text = TextRendering.Render("Code {{PIN}}", "1234", null, errors);

        Assert.Null(text);
        Assert.True(errors.ToDictionary().ContainsKey("placeholders.PIN"));
    }

    [Theory]
    [InlineData("No placeholder here")]
    [InlineData("Spaced {{ name }} stays")]
    [InlineData("Single {braces} and {{}} stay")]
    [InlineData("Odd {{na me}} stays")]
    public void Render_TextWithoutPlaceholderSyntax_IsLeftAsIs(string template)
    {
        var errors = new ValidationErrors();

        Assert.Equal(template, TextRendering.Render(template, "1234", null, errors));
        Assert.False(errors.Any);
    }

    [Fact]
    public void PlaceholderNames_ListsEachNameOnce()
    {
        Assert.Equal(["pin", "name", "a.b-c"], TextRendering.PlaceholderNames("{{pin}} {{name}} {{a.b-c}} {{name}}"));
    }

    [Theory]
    [InlineData("pin")]
    [InlineData("PIN")]
    [InlineData("Pin")]
    [InlineData("pIn")]
    public void ValidatePlaceholders_PinInAnyCase_IsRefused(string name)
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values((name, "0000")), 256, errors);

        Assert.Contains("cannot be passed", Assert.Single(errors.ToDictionary()[$"placeholders.{name}"]));
    }

    [Fact]
    public void ValidatePlaceholders_ValueAtTheCap_IsAccepted()
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values(("name", new string('x', 16))), 16, errors);

        Assert.False(errors.Any);
    }

    [Fact]
    public void ValidatePlaceholders_ValueOverTheCap_IsRefused()
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values(("name", new string('x', 17))), 16, errors);

        Assert.Equal("must be at most 16 characters", Assert.Single(errors.ToDictionary()["placeholders.name"]));
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("carriage\rreturn")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("escape\u001b[31m")]
    [InlineData("delete\u007f")]
    [InlineData("c1\u0085")]
    public void ValidatePlaceholders_ControlCharacter_IsRefused(string value)
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values(("name", value)), 256, errors);

        Assert.Equal("must not contain control characters", Assert.Single(errors.ToDictionary()["placeholders.name"]));
    }

    [Fact]
    public void ValidatePlaceholders_OrdinaryUnicode_IsAccepted()
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values(("name", "Zoë Ωmega 😀"), ("empty", "")), 256, errors);

        Assert.False(errors.Any);
    }

    [Fact]
    public void ValidatePlaceholders_SeveralBadValues_AreAllReported()
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(Values(("pin", "1"), ("long", new string('x', 5)), ("ctl", "a\nb"), ("ok", "fine")), 4, errors);

        Assert.Equal(["placeholders.ctl", "placeholders.long", "placeholders.pin"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ValidatePlaceholders_None_IsAccepted()
    {
        var errors = new ValidationErrors();

        TextRendering.ValidatePlaceholders(null, 256, errors);

        Assert.False(errors.Any);
    }
}
