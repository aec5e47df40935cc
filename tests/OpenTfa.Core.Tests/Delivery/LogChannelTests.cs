using OpenTfa.Core.Delivery;

namespace OpenTfa.Core.Tests.Delivery;

public sealed class LogChannelTests
{
    private static async Task<(string Output, DeliveryResult Result)> SendAsync(ChannelKind kind, string to, string? from, MessageContent content)
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var channel = new LogChannel("log", writer);
        DeliveryResult result = await channel.SendAsync(
            new OutgoingMessage("0123456789ABCDEF0123456789ABCDEF", "FEDCBA9876543210FEDCBA9876543210", kind, to, from, content, 1),
            CancellationToken.None);
        return (writer.ToString(), result);
    }

    [Fact]
    public async Task SendAsync_Sms_WritesExactlyOneLine()
    {
        (string output, DeliveryResult result) = await SendAsync(ChannelKind.Sms, "41793026727", "InfoSMS", new MessageContent("Your pin is 1234"));

        Assert.Equal("[opentfa:log] sms to=41793026727 from=InfoSMS text=\"Your pin is 1234\"\n", output);
        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
    }

    [Fact]
    public async Task SendAsync_Voice_WritesAVoiceLine()
    {
        (string output, _) = await SendAsync(ChannelKind.Voice, "41793026727", "41793026700", new MessageContent("Your pin is 1 2 3 4"));

        Assert.Equal("[opentfa:log] voice to=41793026727 from=41793026700 text=\"Your pin is 1 2 3 4\"\n", output);
    }

    [Fact]
    public async Task SendAsync_Email_IncludesTheSubjectAndQuotesASenderWithSpaces()
    {
        (string output, _) = await SendAsync(ChannelKind.Email, "jane@example.com", "Acme <no-reply@acme.example>",
            new MessageContent("Your verification code is 1234", Subject: "Your verification code"));

        Assert.Equal(
            "[opentfa:log] email to=jane@example.com from=\"Acme <no-reply@acme.example>\" subject=\"Your verification code\" text=\"Your verification code is 1234\"\n",
            output);
    }

    [Fact]
    public async Task SendAsync_TextWithQuotesAndLineBreaks_IsEscapedOnOneLine()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "41793026727", "InfoSMS", new MessageContent("Say \"hi\"\r\nCode:\t1234\\"));

        Assert.Equal("[opentfa:log] sms to=41793026727 from=InfoSMS text=\"Say \\\"hi\\\"\\r\\nCode:\\t1234\\\\\"\n", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task SendAsync_SubjectWithLineBreak_StaysOnOneLine()
    {
        (string output, _) = await SendAsync(ChannelKind.Email, "jane@example.com", "a@example.com",
            new MessageContent("1234", Subject: "Code\nBcc: eve@example.com"));

        Assert.Contains("subject=\"Code\\nBcc: eve@example.com\"", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task SendAsync_NonAsciiText_IsKeptReadable()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "79161234567", "InfoSMS", new MessageContent("Ваш код 1234 — grüße, ça <va> & 'oui'"));

        Assert.Equal("[opentfa:log] sms to=79161234567 from=InfoSMS text=\"Ваш код 1234 — grüße, ça <va> & 'oui'\"\n", output);
    }

    [Fact]
    public async Task SendAsync_Emoji_StaysOnOneLineAsAJsonEscape()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "41793026727", "InfoSMS", new MessageContent("Code 1234 😀"));

        Assert.Equal("[opentfa:log] sms to=41793026727 from=InfoSMS text=\"Code 1234 \\uD83D\\uDE00\"\n", output);
    }

    [Fact]
    public async Task SendAsync_LineAndParagraphSeparators_AreEscaped()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "41793026727", "InfoSMS", new MessageContent("a\u2028b\u2029c\u0085d"));

        Assert.DoesNotContain('\u2028', output);
        Assert.DoesNotContain('\u2029', output);
        Assert.DoesNotContain('\u0085', output);
        Assert.EndsWith("text=\"a\\u2028b\\u2029c\\u0085d\"\n", output);
    }

    [Fact]
    public async Task SendAsync_NoSender_WritesAnEmptyQuotedFrom()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "41793026727", null, new MessageContent("1234"));

        Assert.Equal("[opentfa:log] sms to=41793026727 from=\"\" text=\"1234\"\n", output);
    }

    [Fact]
    public async Task SendAsync_DestinationWithSpaceOrQuote_IsQuoted()
    {
        (string output, _) = await SendAsync(ChannelKind.Sms, "41 79\"x", "Acme Bank", new MessageContent("1234"));

        Assert.Equal("[opentfa:log] sms to=\"41 79\\\"x\" from=\"Acme Bank\" text=\"1234\"\n", output);
    }

    [Fact]
    public async Task SendAsync_TwoMessages_WriteTwoLines()
    {
        using var writer = new StringWriter { NewLine = "\n" };
        var channel = new LogChannel("log", writer);

        await channel.SendAsync(new OutgoingMessage("1", "P", ChannelKind.Sms, "41793026727", "A", new MessageContent("one"), 1), CancellationToken.None);
        await channel.SendAsync(new OutgoingMessage("2", "P", ChannelKind.Sms, "41793026728", "A", new MessageContent("two"), 1), CancellationToken.None);

        Assert.Equal(2, writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void LogChannel_SupportsEveryKindAndKeepsItsName()
    {
        var channel = new LogChannel("dev-log", TextWriter.Null);

        Assert.Equal("dev-log", channel.Name);
        Assert.All(Enum.GetValues<ChannelKind>(), kind => Assert.True(channel.Supports(kind)));
    }
}
