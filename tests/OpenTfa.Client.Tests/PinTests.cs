using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

public sealed class PinTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Sms_WithoutNumberCheck_OmitsNcStatus()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        string to = Requests.NewNumber();

        StartAuthenticationResponse sent = await client.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to }, ncNeeded: false);

        Assert.Equal("MESSAGE_SENT", sent.SmsStatus);
        Assert.Null(sent.NcStatus);
        Assert.Matches("^[0-9]{4}$", await _server.Deliveries.WaitForPinAsync(to));
    }

    [Fact]
    public async Task Sms_ToANumberThatCannotExist_IsNotSentButHasAPinId()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync();

        StartAuthenticationResponse sent = await client.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = "99912345678" }, ncNeeded: true);

        Assert.Equal("NC_DESTINATION_NOT_REACHABLE", sent.NcStatus);
        Assert.Equal("MESSAGE_NOT_SENT", sent.SmsStatus);
        Assert.Matches("^[0-9A-F]{32}$", sent.PinId);
    }

    [Fact]
    public async Task Voice_SendAndResend_DeliverTheSamePin()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        string to = Requests.NewNumber();

        StartAuthenticationResponse sent = await client.SendPinOverVoiceAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to });
        Assert.Equal("PENDING_ACCEPTED", sent.CallStatus);
        Assert.Null(sent.SmsStatus);
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        Assert.StartsWith("[opentfa:log] voice ", await _server.Deliveries.WaitForLineAsync(to), StringComparison.Ordinal);

        StartAuthenticationResponse resent = await client.ResendPinOverVoiceAsync(sent.PinId);
        Assert.Equal(sent.PinId, resent.PinId);
        Assert.Equal("PENDING_ACCEPTED", resent.CallStatus);
        Assert.Equal(pin, await _server.Deliveries.WaitForPinAsync(to, nth: 2));

        Assert.True((await client.VerifyPinAsync(sent.PinId, pin)).Verified);
    }

    [Fact]
    public async Task Email_SendResendVerify_GoesThroughTheEmailTemplate()
    {
        OpenTfaClient client = _server.Sdk();
        ApplicationResponse app = await client.CreateApplicationAsync(Requests.RoomyApplication());
        MessageTemplateResponse template = await client.CreateEmailMessageTemplateAsync(app.ApplicationId, new EmailTemplateRequest { EmailTemplateId = (await client.CreateEmailBodyAsync(new EmailBodyRequest { Subject = "Your code", Text = "Your code is {{pin}}" })).Id, From = "company@example.com" });
        string to = $"user{Guid.NewGuid():N}@example.com";

        StartEmailAuthenticationResponse sent = await client.SendPinOverEmailAsync(new StartAuthenticationRequest { ApplicationId = app.ApplicationId, MessageId = template.MessageId, To = to });
        Assert.Equal("PENDING_ACCEPTED", sent.EmailStatus.Name);
        Assert.Equal(to, sent.To);
        string line = await _server.Deliveries.WaitForLineAsync(to);
        Assert.Matches($$"""^\[opentfa:log\] email to={{to}} from=company@example.com subject="Your code" text="Your code is [0-9]{4}"$""", line);

        StartEmailAuthenticationResponse resent = await client.ResendPinOverEmailAsync(sent.PinId, new ResendPinRequest());
        Assert.Equal(sent.PinId, resent.PinId);
        Assert.Equal("PENDING_ACCEPTED", resent.EmailStatus.Name);
        string again = await _server.Deliveries.WaitForLineAsync(to, nth: 2);
        Assert.Equal(line, again);
    }

    [Fact]
    public async Task Verify_UsesUpAttempts_AndStatusFiltersBySentAndVerified()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        string to = Requests.NewNumber();
        var request = new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to };
        StartAuthenticationResponse first = await client.SendPinOverSmsAsync(request);
        string pin = await _server.Deliveries.WaitForPinAsync(to);
        await client.SendPinOverSmsAsync(request);

        Assert.True((await client.VerifyPinAsync(first.PinId, pin)).Verified);

        VerificationResponse all = await client.GetVerificationStatusAsync(app, to);
        Assert.Equal(2, all.Verifications.Count);
        Verification verified = Assert.Single((await client.GetVerificationStatusAsync(app, to, verified: true)).Verifications);
        Assert.NotNull(verified.VerifiedAt);
        Verification open = Assert.Single((await client.GetVerificationStatusAsync(app, to, verified: false, sent: true)).Verifications);
        Assert.False(open.Verified);
        Assert.Empty((await client.GetVerificationStatusAsync(app, to, sent: false)).Verifications);
        Assert.Equal(2, (await client.GetVerificationStatusAsync(app, "+" + to)).Verifications.Count);
    }

    [Fact]
    public async Task PinMessages_ShowEachDeliveryOfThePin()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        string to = Requests.NewNumber();
        StartAuthenticationResponse sent = await client.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to });
        await client.ResendPinOverSmsAsync(sent.PinId);
        await _server.Deliveries.WaitForLineAsync(to, nth: 2);

        IReadOnlyList<MessageStateResponse> messages = await client.GetPinMessagesAsync(sent.PinId);
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(sent.PinId, m.PinId));

        MessageStateResponse one = await client.GetMessageAsync(messages[0].MessageId);
        Assert.Equal(messages[0].MessageId, one.MessageId);
        Assert.Equal(sent.PinId, one.PinId);
        Assert.False(string.IsNullOrEmpty(one.State));

        // Destinations are masked unless asked for in full, which the bootstrap key (opentfa:pii) may.
        Assert.DoesNotContain(to, one.To, StringComparison.Ordinal);
        Assert.Equal(to, (await client.GetMessageAsync(one.MessageId, unmasked: true)).To);
        Assert.All(await client.GetPinMessagesAsync(sent.PinId, unmasked: true), m => Assert.Equal(to, m.To));
    }
}
