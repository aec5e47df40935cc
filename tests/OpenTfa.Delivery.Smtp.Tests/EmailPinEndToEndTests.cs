using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTfa.Delivery.Smtp.Tests.Infrastructure;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Smtp.Tests;

/// <summary>/2fa/2/pin/email through the real server, its smtp channel and a real SMTP server.</summary>
[Collection(SmtpCollection.Name)]
public sealed partial class EmailPinEndToEndTests(SmtpPeerFixture fixture) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["OpenTfa:Channels:mail:Type"] = "smtp",
        ["OpenTfa:Channels:mail:Host"] = "127.0.0.1",
        ["OpenTfa:Channels:mail:Port"] = fixture.Peer.StartTlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OpenTfa:Channels:mail:Security"] = "StartTls",
        ["OpenTfa:Channels:mail:AllowInvalidCertificate"] = "true",
        ["OpenTfa:Channels:mail:Username"] = SmtpPeer.User,
        ["OpenTfa:Channels:mail:Password"] = SmtpPeer.Password,
        ["OpenTfa:Channels:mail:From"] = "OpenTfa <no-reply@opentfa.test>",
        ["OpenTfa:Channels:dev:Type"] = "log",
        ["OpenTfa:Routes:Email:0"] = "mail",
        ["OpenTfa:Routes:Sms:0"] = "dev",
        ["OpenTfa:Routes:Voice:0"] = "dev",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex(@"code is (?<pin>[0-9]{6})")]
    private static partial Regex Pin();

    [Fact]
    public async Task SendEmailPin_DeliversARealEmail_VerifiesWithItsPin_AndResendsByEmail()
    {
        using HttpClient client = _server.Client();
        string app = (await client.PostOkAsync("/2fa/2/applications", Json.RoomyApplication)).AsObject()["applicationId"]!.GetValue<string>();
        long body = (await client.PostOkAsync("/opentfa/v1/email-bodies",
            """{"name":"login","subject":"Your {{brand}} code","text":"Your {{brand}} code is {{pin}}","html":"<p>Your {{brand}} code is <b>{{pin}}</b></p>"}"""))["id"]!.GetValue<long>();
        string template = (await client.PostOkAsync($"/2fa/2/applications/{app}/email/messages",
            $$"""{"emailTemplateId":{{body}},"from":"Acme Security <security@acme.test>","pinLength":6}"""))["messageId"]!.GetValue<string>();
        string to = $"Jane.Doe-{Guid.NewGuid():N}@Example.test";

        JsonNode sent = await client.PostOkAsync("/2fa/2/pin/email",
            $$"""{"applicationId":"{{app}}","messageId":"{{template}}","from":"Acme Security <security@acme.test>","to":"{{to}}","placeholders":{"brand":"Acme"} }""");

        Assert.Equal(to, sent["to"]!.GetValue<string>());
        Assert.Equal("PENDING_ACCEPTED", sent["emailStatus"]!["name"]!.GetValue<string>());
        Assert.Equal("Message accepted, pending for delivery.", sent["emailStatus"]!["description"]!.GetValue<string>());
        string pinId = sent["pinId"]!.GetValue<string>();

        ReceivedMail mail = await fixture.Peer.WaitForMessageAsync(to);
        Assert.Equal("security@acme.test", mail.EnvelopeFrom);
        Assert.Equal(new MailAddressJson("Acme Security", "security@acme.test"), Assert.Single(mail.From));
        Assert.Equal(to.ToLowerInvariant(), Assert.Single(mail.To).Address!.ToLowerInvariant());
        Assert.Equal("Your Acme code", mail.Subject);
        string pin = Pin().Match(mail.Text!).Groups["pin"].Value;
        Assert.Matches("^[0-9]{6}$", pin);
        Assert.Equal($"Your Acme code is {pin}", mail.Text!.Trim());
        Assert.Equal($"<p>Your Acme code is <b>{pin}</b></p>", mail.Html!.Trim());

        JsonNode state = await client.WaitForMessageStateAsync(pinId, "SUBMITTED");
        Assert.Equal("mail", state["channelName"]!.GetValue<string>());
        Assert.Equal($"<{state["channelMessageId"]!.GetValue<string>()}>", mail.MessageId);

        JsonNode resent = await client.PostOkAsync($"/2fa/2/pin/{pinId}/resend/email", """{"placeholders":{"brand":"Acme"}}""");
        Assert.Equal("PENDING_ACCEPTED", resent["emailStatus"]!["name"]!.GetValue<string>());
        ReceivedMail[] both = await Poll.UntilAsync(
            async () => (await fixture.Peer.MessagesAsync()).Where(m => m.EnvelopeTo.Contains(to, StringComparer.OrdinalIgnoreCase)).ToArray(),
            mails => mails.Length >= 2,
            TimeSpan.FromSeconds(15),
            mails => $"{mails.Length} messages to {to}, not two");
        Assert.Equal(2, both.Length);
        Assert.Equal(mail.Text, both[1].Text);

        Assert.True((await client.VerifyAsync(pinId, pin).OkAsync()).Verified);
    }

    [Fact]
    public async Task RecipientTheRelayRefuses_EndsFailed_WithTheRelaysAnswer()
    {
        using HttpClient client = _server.Client();
        (string app, string template) = await client.CreateEmailApplicationAsync();

        string to = $"reject5-{Guid.NewGuid():N}@example.test";
        JsonNode sent = await client.PostOkAsync("/2fa/2/pin/email", $$"""{"applicationId":"{{app}}","messageId":"{{template}}","to":"{{to}}"}""");

        JsonNode state = await client.WaitForMessageStateAsync(sent["pinId"]!.GetValue<string>(), "FAILED");
        Assert.StartsWith("mail: SMTP 550", state["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
