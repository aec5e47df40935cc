using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

/// <summary>The flow of Infobip's SDK page, in C# through <see cref="OpenTfaClient"/>.</summary>
public sealed class SeedFlowTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task SeedFlow_CreateSendResendVerifyStatus_RunsThroughTheClient()
    {
        OpenTfaClient client = _server.Sdk();

        ApplicationResponse application = await client.CreateApplicationAsync(Requests.SeedApplication());
        Assert.Matches("^[0-9A-F]{32}$", application.ApplicationId);
        Assert.True(application.Enabled);
        Assert.Equal(5, application.Configuration.PinAttempts);
        Assert.Equal("2/4s", application.Configuration.SendPinPerApplicationLimit);

        MessageTemplateResponse template = await client.CreateMessageTemplateAsync(application.ApplicationId, Requests.SeedTemplate());
        Assert.Equal("{{pin}}", template.PinPlaceholder);
        Assert.Equal("NUMERIC", template.PinType);
        Assert.Equal(4, template.PinLength);

        StartAuthenticationResponse sent = await client.SendPinOverSmsAsync(new StartAuthenticationRequest
        {
            ApplicationId = application.ApplicationId,
            MessageId = template.MessageId,
            From = "InfoSMS",
            To = "41793026727",
            Placeholders = new() { ["firstName"] = "John" },
        });
        Assert.Equal("MESSAGE_SENT", sent.SmsStatus);
        Assert.Equal("NC_NOT_CONFIGURED", sent.NcStatus);
        Assert.Equal("41793026727", sent.To);
        string line = await _server.Deliveries.WaitForLineAsync("41793026727");
        Assert.Matches("""^\[opentfa:log\] sms to=41793026727 from=InfoSMS text="Your pin is [0-9]{4}"$""", line);
        string pin = await _server.Deliveries.WaitForPinAsync("41793026727");

        StartAuthenticationResponse resent = await client.ResendPinOverSmsAsync(sent.PinId, new ResendPinRequest { Placeholders = new() { ["firstName"] = "John" } });
        Assert.Equal(sent.PinId, resent.PinId);
        Assert.Equal("MESSAGE_SENT", resent.SmsStatus);
        Assert.Equal(pin, await _server.Deliveries.WaitForPinAsync("41793026727", nth: 2));

        VerifyPinResponse wrong = await client.VerifyPinAsync(sent.PinId, pin == "0000" ? "1111" : "0000");
        Assert.False(wrong.Verified);
        Assert.Equal("WRONG_PIN", wrong.PinError);
        Assert.Equal(4, wrong.AttemptsRemaining);

        VerifyPinResponse right = await client.VerifyPinAsync(sent.PinId, pin);
        Assert.True(right.Verified);
        Assert.Null(right.PinError);
        Assert.Equal("41793026727", right.Msisdn);

        VerificationResponse status = await client.GetVerificationStatusAsync(application.ApplicationId, "41793026727");
        Verification only = Assert.Single(status.Verifications);
        Assert.True(only.Verified);
        Assert.True(only.VerifiedAt >= only.SentAt);
    }
}
