using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

/// <summary>
/// What the client sends and how it reads answers the OpenTfa server never gives (a 5xx
/// envelope, a proxy's HTML page, a dated Retry-After), against a small real HTTP listener.
/// </summary>
public sealed class TransportTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private Uri _address = null!;
    private string? _lastAuthorization;
    private string? _lastPathAndQuery;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            _lastAuthorization = context.Request.Headers.Authorization;
            _lastPathAndQuery = context.Request.Path + context.Request.QueryString;
            await next(context);
        });
        _app.MapGet("/2fa/2/applications", () => Results.Text("[]", "application/json"));
        _app.MapGet("/2fa/2/applications/{id}/verifications", () => Results.Text("""{"verifications":[]}""", "application/json"));
        _app.MapGet("/2fa/2/applications/down", () => Results.Text(
            """{"requestError":{"serviceException":{"messageId":"GENERAL_ERROR","text":"The store is unavailable"}}}""", "application/json", statusCode: 503));
        _app.MapGet("/2fa/2/applications/proxy", () => Results.Text("<html><body>Bad gateway</body></html>", "text/html", statusCode: 502));
        _app.MapGet("/2fa/2/applications/teapot", () => Results.Text("{}", "application/json", statusCode: 418));
        _app.MapGet("/2fa/2/applications/garbled", () => Results.Text("{\"applicationId\":", "application/json"));
        _app.MapGet("/opentfa/v1/tenants", (HttpContext http) =>
        {
            http.Response.Headers.RetryAfter = DateTimeOffset.UtcNow.AddMinutes(2).ToString("R");
            return Results.Problem(title: "Too many requests", detail: "slow down", statusCode: 429);
        });
        _app.MapGet("/health/ready", () => Results.Text("""{"status":"unavailable","details":{"store":"unavailable"}}""", "application/json", statusCode: 503));
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AddOpenTfaClient_SendsTheKeyWithTheAppScheme()
    {
        var services = new ServiceCollection();
        services.AddOpenTfaClient(o =>
        {
            o.BaseAddress = _address;
            o.ApiKey = "k-123";
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        IReadOnlyList<ApplicationResponse> apps = await provider.GetRequiredService<OpenTfaClient>().GetApplicationsAsync();

        Assert.Empty(apps);
        Assert.Equal("App k-123", _lastAuthorization);
    }

    [Fact]
    public void AddOpenTfaClient_WithoutAnAddress_FailsWithAClearMessage()
    {
        var services = new ServiceCollection();
        services.AddOpenTfaClient(o => o.ApiKey = "k");
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<OpenTfaClient>());

        Assert.Contains("BaseAddress", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaseAddressWithAPath_KeepsThePath()
    {
        OpenTfaClient client = Client(new Uri(_address, "/gateway/otp"));

        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => client.GetApplicationsAsync());

        Assert.Equal("/gateway/otp/2fa/2/applications", _lastPathAndQuery);
    }

    [Fact]
    public async Task QueryParameters_AreEscapedAndLowerCase()
    {
        await Client(_address).GetVerificationStatusAsync("APP", "+41 79", verified: true, sent: false);

        Assert.Equal("/2fa/2/applications/APP/verifications?msisdn=%2B41%2079&verified=true&sent=false", _lastPathAndQuery);
    }

    [Fact]
    public async Task ServerError_IsAnOpenTfaServerException()
    {
        var ex = await Assert.ThrowsAsync<OpenTfaServerException>(() => Client(_address).GetApplicationAsync("down"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.StatusCode);
        Assert.Equal("GENERAL_ERROR", ex.MessageId);
        Assert.Equal("The store is unavailable", ex.Text);
    }

    [Fact]
    public async Task NonJsonErrorBody_KeepsStatusAndText()
    {
        var ex = await Assert.ThrowsAsync<OpenTfaServerException>(() => Client(_address).GetApplicationAsync("proxy"));

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Null(ex.MessageId);
        Assert.Contains("Bad gateway", ex.Text, StringComparison.Ordinal);
        Assert.Empty(ex.ValidationErrors);
    }

    [Fact]
    public async Task OtherStatus_IsTheBaseException()
    {
        OpenTfaApiException ex = await Assert.ThrowsAnyAsync<OpenTfaApiException>(() => Client(_address).GetApplicationAsync("teapot"));

        Assert.Equal(typeof(OpenTfaApiException), ex.GetType());
        Assert.Equal((HttpStatusCode)418, ex.StatusCode);
    }

    [Fact]
    public async Task UnreadableSuccessBody_IsAnApiExceptionWithTheBody()
    {
        OpenTfaApiException ex = await Assert.ThrowsAnyAsync<OpenTfaApiException>(() => Client(_address).GetApplicationAsync("garbled"));

        Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
        Assert.Equal("{\"applicationId\":", ex.ResponseBody);
    }

    [Fact]
    public async Task RetryAfterAsADate_BecomesAWait()
    {
        var ex = await Assert.ThrowsAsync<OpenTfaRateLimitedException>(() => Client(_address).GetTenantsAsync());

        Assert.Equal("slow down", ex.Text);
        Assert.InRange(ex.RetryAfter!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(121));
    }

    [Fact]
    public async Task NotReady_IsReturnedNotThrown()
    {
        HealthResponse ready = await Client(_address).GetHealthAsync(OpenTfaHealthCheck.Ready);

        Assert.Equal("unavailable", ready.Status);
        Assert.Equal("unavailable", ready.Details!["store"]);
    }

    [Fact]
    public async Task UnreachableServer_IsAnHttpRequestException()
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => Client(new Uri($"http://127.0.0.1:{port}")).GetApplicationsAsync());
    }

    private static OpenTfaClient Client(Uri address) => OpenTfaClient.Create(new OpenTfaClientOptions { BaseAddress = address, ApiKey = "k" });
}
