using System.Net;
using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

/// <summary>Every error type, raised by the real server, in both error shapes.</summary>
public sealed class ErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string UnknownId = "0123456789ABCDEF0123456789ABCDEF";
    private readonly TestServer _server = fixture.Server;

    [Fact]
    public async Task BadRequest_FromTheEnvelope_CarriesTheValidationErrors()
    {
        OpenTfaClient client = _server.Sdk();

        var ex = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() => client.CreateApplicationAsync(new ApplicationRequest
        {
            Configuration = new ApplicationConfiguration { PinAttempts = -1 },
        }));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Equal("BAD_REQUEST", ex.MessageId);
        Assert.False(string.IsNullOrEmpty(ex.Text));
        Assert.Null(ex.Title);
        Assert.Contains("name", ex.ValidationErrors.Keys);
        Assert.Contains("configuration.pinAttempts", ex.ValidationErrors.Keys);
        Assert.NotEmpty(ex.ValidationErrors["name"]);
        Assert.Contains("configuration.pinAttempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("requestError", ex.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadRequest_FromProblemDetails_CarriesTheErrorsExtension()
    {
        OpenTfaClient client = _server.Sdk();

        var ex = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() => client.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "no scopes" }));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Null(ex.MessageId);
        Assert.Equal("Bad request", ex.Title);
        Assert.False(string.IsNullOrEmpty(ex.Text));
        Assert.Contains(ex.ValidationErrors["scopes"], m => m.Contains("2fa:pin:send", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unauthorized_UnknownKey_OnBothSurfaces()
    {
        OpenTfaClient client = _server.Sdk("not-a-key");

        var tfa = await Assert.ThrowsAsync<OpenTfaUnauthorizedException>(() => client.GetApplicationsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, tfa.StatusCode);
        Assert.Equal("UNAUTHORIZED", tfa.MessageId);
        Assert.Equal("Invalid login details", tfa.Text);

        var own = await Assert.ThrowsAsync<OpenTfaUnauthorizedException>(() => client.GetTenantsAsync());
        Assert.Equal("Unauthorized", own.Title);
        Assert.Null(own.MessageId);

        await Assert.ThrowsAsync<OpenTfaUnauthorizedException>(() => _server.Sdk(key: null).GetApplicationsAsync());
    }

    [Fact]
    public async Task Forbidden_KeyWithoutTheScope_AndDisabledApplication()
    {
        OpenTfaClient admin = _server.Sdk();
        ApiKeyResponse sendOnly = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "sender", Scopes = ["2fa:pin:send"] });
        OpenTfaClient sender = _server.Sdk(sendOnly.Key);

        var manage = await Assert.ThrowsAsync<OpenTfaForbiddenException>(() => sender.CreateApplicationAsync(Requests.RoomyApplication()));
        Assert.Equal(HttpStatusCode.Forbidden, manage.StatusCode);
        Assert.Equal("FORBIDDEN", manage.MessageId);
        Assert.Contains("2fa:manage", manage.Text, StringComparison.Ordinal);

        var keys = await Assert.ThrowsAsync<OpenTfaForbiddenException>(() => sender.GetApiKeysAsync());
        Assert.Contains("opentfa:admin", keys.Text, StringComparison.Ordinal);

        (string app, string template) = await admin.CreateAppAndTemplateAsync(Requests.RoomyApplication(enabled: false));
        var disabled = await Assert.ThrowsAsync<OpenTfaForbiddenException>(() =>
            sender.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = Requests.NewNumber() }));
        Assert.Contains("disabled", disabled.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotFound_UnknownIds_OnBothSurfaces()
    {
        OpenTfaClient client = _server.Sdk();

        var app = await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetApplicationAsync(UnknownId));
        Assert.Equal(HttpStatusCode.NotFound, app.StatusCode);
        Assert.Equal("NOT_FOUND", app.MessageId);

        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.VerifyPinAsync(UnknownId, "1234"));
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.ResendPinOverSmsAsync(UnknownId));

        var key = await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.RevokeApiKeyAsync("unknown"));
        Assert.Equal("Not found", key.Title);
        Assert.Equal("API key not found", key.Text);
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetPinMessagesAsync(UnknownId));
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetMessageAsync(UnknownId));
    }

    [Fact]
    public async Task RateLimited_SecondSendToTheSameNumber_CarriesRetryAfter()
    {
        OpenTfaClient client = _server.Sdk();
        (string app, string template) = await client.CreateAppAndTemplateAsync(Requests.RoomyApplication(phoneLimit: "1/1h"));
        var request = new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = Requests.NewNumber() };
        await client.SendPinOverSmsAsync(request);

        var ex = await Assert.ThrowsAsync<OpenTfaRateLimitedException>(() => client.SendPinOverSmsAsync(request));

        Assert.Equal(HttpStatusCode.TooManyRequests, ex.StatusCode);
        Assert.Equal("TOO_MANY_REQUESTS", ex.MessageId);
        Assert.NotNull(ex.RetryAfter);
        Assert.InRange(ex.RetryAfter.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task AnyApiError_IsCaughtAsTheBaseType()
    {
        OpenTfaClient client = _server.Sdk();

        OpenTfaApiException ex = await Assert.ThrowsAnyAsync<OpenTfaApiException>(() => client.GetMessageTemplateAsync(UnknownId, UnknownId));

        Assert.IsType<OpenTfaNotFoundException>(ex);
    }

    [Fact]
    public async Task RevokedKey_IsUnauthorized()
    {
        OpenTfaClient admin = _server.Sdk();
        ApiKeyResponse created = await admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "short-lived", Scopes = ["2fa:manage"] });
        OpenTfaClient holder = _server.Sdk(created.Key);
        Assert.NotNull(await holder.GetApplicationsAsync());

        ApiKeyResponse revoked = await admin.RevokeApiKeyAsync(created.KeyId);

        Assert.NotNull(revoked.RevokedAt);
        Assert.Null(revoked.Key);
        await Assert.ThrowsAsync<OpenTfaUnauthorizedException>(() => holder.GetApplicationsAsync());
    }
}
