using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smtp.Tests.Infrastructure;

namespace OpenTfa.Delivery.Smtp.Tests;

[Collection(SmtpCollection.Name)]
public sealed class SmtpEmailChannelTests(SmtpPeerFixture fixture)
{
    private SmtpPeer Peer => fixture.Peer;

    private static SmtpEmailChannel Channel(int port, SmtpSecurity security, bool allowInvalid = true, string? user = SmtpPeer.User, string? password = SmtpPeer.Password, string? from = "OpenTfa <no-reply@opentfa.test>") =>
        new("mail", new SmtpChannelOptions
        {
            Host = "127.0.0.1",
            Port = port,
            Security = security,
            AllowInvalidCertificate = allowInvalid,
            Username = user,
            Password = password,
            From = from,
            HeloName = "otp.opentfa.test",
            Timeout = TimeSpan.FromSeconds(10),
        }, TimeProvider.System, NullLogger<SmtpEmailChannel>.Instance);

    private static OutgoingMessage Email(string to, string? from = null, string subject = "Your verification code", string text = "Your verification code is 482913", string? html = null) =>
        new(Guid.NewGuid().ToString("N").ToUpperInvariant(), "PIN0001", ChannelKind.Email, to, from, new MessageContent(text, Subject: subject, Html: html), 1);

    private static string Unique(string local) => $"{local}-{Guid.NewGuid():N}@example.test";

    [Fact]
    public async Task StartTls_WithAuthentication_DeliversSenderRecipientSubjectTextAndHtml()
    {
        string to = Unique("user");
        OutgoingMessage message = Email(to, html: "<p>Your verification code is <b>482913</b></p>");

        DeliveryResult result = await Channel(Peer.StartTlsPort, SmtpSecurity.StartTls).SendAsync(message, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        ReceivedMail mail = await Peer.WaitForMessageAsync(to);
        Assert.True(mail.Secure);
        Assert.Equal(SmtpPeer.User, mail.User);
        Assert.Equal("otp.opentfa.test", mail.Helo);
        Assert.Equal("no-reply@opentfa.test", mail.EnvelopeFrom);
        Assert.Equal([to], mail.EnvelopeTo);
        Assert.Equal(new MailAddressJson("OpenTfa", "no-reply@opentfa.test"), Assert.Single(mail.From));
        Assert.Equal(to, Assert.Single(mail.To).Address);
        Assert.Equal("Your verification code", mail.Subject);
        Assert.Equal("Your verification code is 482913", mail.Text!.Trim());
        Assert.Equal("<p>Your verification code is <b>482913</b></p>", mail.Html!.Trim());
        Assert.Equal("multipart/alternative", mail.ContentType);
        Assert.Equal($"<{result.ChannelMessageId}>", mail.MessageId);
        Assert.StartsWith(message.Id, result.ChannelMessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImplicitTls_Delivers_AndTheMessagesSenderWinsOverTheDefault()
    {
        string to = Unique("tls");
        DeliveryResult result = await Channel(Peer.TlsPort, SmtpSecurity.Tls).SendAsync(Email(to, from: "Security <security@bank.test>"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        ReceivedMail mail = await Peer.WaitForMessageAsync(to);
        Assert.True(mail.Secure);
        Assert.Equal("tls", mail.Mode);
        Assert.Equal("security@bank.test", mail.EnvelopeFrom);
        Assert.Equal(new MailAddressJson("Security", "security@bank.test"), Assert.Single(mail.From));
        Assert.Equal("text/plain", mail.ContentType);
        Assert.Null(mail.Html);
    }

    [Fact]
    public async Task NoSecurity_WithoutCredentials_DeliversInTheClear()
    {
        string to = Unique("plain");
        DeliveryResult result = await Channel(Peer.PlainPort, SmtpSecurity.None, user: null, password: null).SendAsync(Email(to, subject: "Ünïcode – code"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        ReceivedMail mail = await Peer.WaitForMessageAsync(to);
        Assert.False(mail.Secure);
        Assert.Null(mail.User);
        Assert.Equal("Ünïcode – code", mail.Subject);
    }

    [Fact]
    public async Task SelfSignedCertificate_IsRefusedByDefault_AsATemporaryFailure()
    {
        string to = Unique("untrusted");
        DeliveryResult result = await Channel(Peer.StartTlsPort, SmtpSecurity.StartTls, allowInvalid: false).SendAsync(Email(to), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Contains("TLS", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(await Peer.MessagesAsync(), m => m.EnvelopeTo.Contains(to));
    }

    [Fact]
    public async Task WrongPassword_IsATemporaryFailureOfTheChannel()
    {
        DeliveryResult result = await Channel(Peer.StartTlsPort, SmtpSecurity.StartTls, password: "wrong").SendAsync(Email(Unique("auth")), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Contains("authentication refused", result.Error, StringComparison.Ordinal);
        Assert.False(result.RecipientOnly);
    }

    [Theory]
    [InlineData("reject550", DeliveryOutcome.PermanentFailure, "SMTP 550")]
    [InlineData("reject450", DeliveryOutcome.TemporaryFailure, "SMTP 450")]
    [InlineData("reject451", DeliveryOutcome.TemporaryFailure, "SMTP 451")]
    [InlineData("reject452", DeliveryOutcome.TemporaryFailure, "SMTP 452")]
    public async Task RecipientRefusedAtRcptTo_ConcernsThatRecipientOnly(string local, DeliveryOutcome outcome, string error)
    {
        string to = Unique(local);

        DeliveryResult result = await Channel(Peer.StartTlsPort, SmtpSecurity.StartTls).SendAsync(Email(to), CancellationToken.None);

        Assert.Equal(outcome, result.Outcome);
        Assert.StartsWith(error, result.Error, StringComparison.Ordinal);
        Assert.Equal(outcome == DeliveryOutcome.TemporaryFailure, result.RecipientOnly);
        Assert.DoesNotContain(await Peer.MessagesAsync(), m => m.EnvelopeTo.Contains(to));
    }

    [Fact]
    public async Task NoServerListening_IsATemporaryFailure()
    {
        int closed = FreePort.Next();
        DeliveryResult result = await Channel(closed, SmtpSecurity.None).SendAsync(Email(Unique("down")), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Contains($"127.0.0.1:{closed}", result.Error, StringComparison.Ordinal);
        Assert.False(result.RecipientOnly);
    }

    [Theory]
    [InlineData("Code\r\nBcc: victim@example.test", "user@example.test", null)]
    [InlineData("Code", "user@example.test\nBcc: victim@example.test", null)]
    [InlineData("Code", "user@example.test", "a@example.test\r\nBcc: victim@example.test")]
    public async Task LineBreakInAHeaderValue_IsRefusedForGood_AndNothingIsSent(string subject, string to, string? from)
    {
        int before = (await Peer.MessagesAsync()).Count;
        DeliveryResult result = await Channel(Peer.PlainPort, SmtpSecurity.None, user: null, password: null).SendAsync(Email(to, from, subject), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, result.Outcome);
        Assert.Contains("line break", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, (await Peer.MessagesAsync()).Count);
    }

    [Fact]
    public async Task NoSenderAnywhere_IsRefusedForGood()
    {
        DeliveryResult result = await Channel(Peer.PlainPort, SmtpSecurity.None, user: null, password: null, from: null).SendAsync(Email(Unique("nofrom")), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, result.Outcome);
        Assert.Contains("no sender", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyEmail_IsCarried()
    {
        SmtpEmailChannel channel = Channel(Peer.PlainPort, SmtpSecurity.None);
        var sms = new OutgoingMessage("M1", "P1", ChannelKind.Sms, "41793026727", null, new MessageContent("Your pin is 1234"), 1);

        Assert.True(channel.Supports(ChannelKind.Email));
        Assert.False(channel.Supports(ChannelKind.Sms));
        Assert.False(channel.Supports(ChannelKind.Voice));
        Assert.Equal(DeliveryOutcome.PermanentFailure, (await channel.SendAsync(sms, CancellationToken.None)).Outcome);
    }
}
