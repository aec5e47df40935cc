using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

public sealed class ApplicationAndTemplateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task Applications_CreateGetListUpdate_RoundTripEveryField()
    {
        OpenTfaClient client = _server.Sdk();
        ApplicationResponse created = await client.CreateApplicationAsync(Requests.RoomyApplication("listed"));

        ApplicationResponse fetched = await client.GetApplicationAsync(created.ApplicationId);
        Assert.Equal("listed", fetched.Name);
        Assert.Equal("15m", fetched.Configuration.PinTimeToLive);

        IReadOnlyList<ApplicationResponse> all = await client.GetApplicationsAsync();
        Assert.Contains(all, a => a.ApplicationId == created.ApplicationId);

        ApplicationResponse updated = await client.UpdateApplicationAsync(created.ApplicationId, new ApplicationRequest
        {
            Name = "renamed",
            Enabled = false,
            Configuration = new ApplicationConfiguration { PinAttempts = 3 },
        });
        Assert.Equal("renamed", updated.Name);
        Assert.False(updated.Enabled);
        Assert.Equal(3, updated.Configuration.PinAttempts);
        // PUT replaces the whole application: what was left out takes its default.
        Assert.Equal("15m", updated.Configuration.PinTimeToLive);
        Assert.Equal("3/1d", updated.Configuration.SendPinPerPhoneNumberLimit);
        Assert.Equal("renamed", (await client.GetApplicationAsync(created.ApplicationId)).Name);
    }

    [Fact]
    public async Task MessageTemplates_CreateGetListUpdate_KeepUnsetFields()
    {
        OpenTfaClient client = _server.Sdk();
        ApplicationResponse app = await client.CreateApplicationAsync(Requests.RoomyApplication());
        MessageTemplateResponse created = await client.CreateMessageTemplateAsync(app.ApplicationId, new MessageTemplateRequest
        {
            MessageText = "Code {{pin}} for {{name}}",
            PinType = "ALPHANUMERIC",
            PinLength = 6,
            Language = "pt_br",
            SenderId = "Acme",
            RepeatDtmf = "1#",
            SpeechRate = 1.5,
        });
        Assert.Equal(app.ApplicationId, created.ApplicationId);
        Assert.Equal("pt_br", created.Language);
        Assert.Equal("1#", created.RepeatDtmf);
        Assert.Equal(1.5, created.SpeechRate);

        MessageTemplateResponse fetched = await client.GetMessageTemplateAsync(app.ApplicationId, created.MessageId);
        Assert.Equal("Code {{pin}} for {{name}}", fetched.MessageText);
        Assert.Equal(6, fetched.PinLength);

        MessageTemplateResponse updated = await client.UpdateMessageTemplateAsync(app.ApplicationId, created.MessageId, new MessageTemplateRequest { PinLength = 8 });
        Assert.Equal(8, updated.PinLength);
        Assert.Equal("ALPHANUMERIC", updated.PinType);
        Assert.Equal("Acme", updated.SenderId);

        long body = (await client.CreateEmailBodyAsync(new EmailBodyRequest { Subject = "Your code", Text = "Your code is {{pin}}" })).Id;
        MessageTemplateResponse email = await client.CreateEmailMessageTemplateAsync(app.ApplicationId, new EmailTemplateRequest { EmailTemplateId = body, From = "company@example.com" });
        Assert.Equal(body, email.EmailTemplateId);
        Assert.Equal("company@example.com", email.From);
        Assert.Equal(4, email.PinLength);
        Assert.Equal("NUMERIC", email.PinType);

        MessageTemplateResponse emailUpdated = await client.UpdateEmailMessageTemplateAsync(app.ApplicationId, email.MessageId, new EmailTemplateRequest { PinLength = 6, From = "Jane Smith <jane@example.com>" });
        Assert.Equal(6, emailUpdated.PinLength);
        Assert.Equal("Jane Smith <jane@example.com>", emailUpdated.From);
        Assert.Equal(body, emailUpdated.EmailTemplateId);

        IReadOnlyList<MessageTemplateResponse> all = await client.GetMessageTemplatesAsync(app.ApplicationId);
        Assert.Equal(new[] { created.MessageId, email.MessageId }.Order(StringComparer.Ordinal), all.Select(t => t.MessageId).Order(StringComparer.Ordinal));
    }
}
