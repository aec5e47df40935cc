using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Tests.Templates;

public sealed class EmailBodyRenderTests
{
    [Fact]
    public void Render_PlaceholdersInHtml_AreEscaped_ButPlainInSubjectAndText()
    {
        var errors = new ValidationErrors();
        var values = new Dictionary<string, string> { ["name"] = "<b>Zoë & co</b>" };

        MessageContent content = EmailBodyService.Render("Hi {{name}}", "Code {{pin}}, {{name}}", "<p>{{pin}} {{name}}</p>", "AB12", values, errors)!;

        Assert.False(errors.Any);
        Assert.Equal("Hi <b>Zoë & co</b>", content.Subject);
        Assert.Equal("Code AB12, <b>Zoë & co</b>", content.Text);
        Assert.Equal("<p>AB12 &lt;b&gt;Zo&#235; &amp; co&lt;/b&gt;</p>", content.Html);
    }

    [Fact]
    public void Render_MissingPlaceholder_IsReportedAndNothingRendered()
    {
        var errors = new ValidationErrors();

        Assert.Null(EmailBodyService.Render("Hi {{name}}", "Code {{pin}}", null, "1234", null, errors));
        Assert.True(errors.ToDictionary().ContainsKey("placeholders.name"));
    }
}
