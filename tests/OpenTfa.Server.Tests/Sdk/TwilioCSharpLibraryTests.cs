using OpenTfa.Core.Tenancy;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Tests.Infrastructure;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Http;
using Twilio.Rest.Verify.V2;
using Twilio.Rest.Verify.V2.Service;
using Twilio.Rest.Verify.V2.Service.RateLimit;

namespace OpenTfa.Server.Tests.Sdk;

/// <summary>
/// Twilio's Verify quickstart and its error paths driven by Twilio's official C# library
/// (NuGet Twilio 8.2.0), unchanged, pointed at OpenTfa by the HTTP client it accepts.
/// </summary>
public sealed class TwilioCSharpLibraryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Quickstart_WithTwilioCSharpLibrary_EveryStepAnswersAsTwilioDocuments()
    {
        TestServer server = fixture.Server;
        using var http = new System.Net.Http.HttpClient(new MoveToOpenTfa(server.BaseAddress));
        var client = new TwilioRestClient(TwilioSids.Account(Tenant.OperatorId), TestServer.BootstrapKey, httpClient: new SystemNetHttpClient(http));
        const string To = "+41793026751";

        ServiceResource service = await ServiceResource.CreateAsync(new CreateServiceOptions("C# quickstart") { CodeLength = 8 }, client);
        Assert.Matches("^VA[0-9a-f]{32}$", service.Sid);
        Assert.Equal(8, service.CodeLength);
        Assert.Contains(service.Sid, (await ServiceResource.ReadAsync(new ReadServiceOptions(), client)).Select(s => s.Sid));

        VerificationResource started = await VerificationResource.CreateAsync(new CreateVerificationOptions(service.Sid, To, "sms"), client);
        Assert.Equal(("pending", false), (started.Status, started.Valid));
        Assert.Equal(To, started.To);
        Assert.Equal("sms", started.Channel.ToString());
        Assert.NotNull(started.DateCreated);
        string code = await server.Deliveries.WaitForPinAsync("41793026751");
        Assert.Equal(8, code.Length);

        VerificationCheckResource wrong = await VerificationCheckResource.CreateAsync(new CreateVerificationCheckOptions(service.Sid) { To = To, Code = code == "12345678" ? "87654321" : "12345678" }, client);
        Assert.Equal(("pending", false), (wrong.Status, wrong.Valid));
        VerificationCheckResource right = await VerificationCheckResource.CreateAsync(new CreateVerificationCheckOptions(service.Sid) { VerificationSid = started.Sid, Code = code }, client);
        Assert.Equal(("approved", true, started.Sid), (right.Status, right.Valid, right.Sid));

        ApiException gone = await Assert.ThrowsAsync<ApiException>(() => VerificationResource.FetchAsync(new FetchVerificationOptions(service.Sid, started.Sid), client));
        Assert.Equal((404, 20404), (gone.Status, gone.Code));
        Assert.StartsWith("https://www.twilio.com/docs/errors/", gone.MoreInfo, StringComparison.Ordinal);

        VerificationResource second = await VerificationResource.CreateAsync(new CreateVerificationOptions(service.Sid, To, "sms"), client);
        Assert.NotEqual(started.Sid, second.Sid);
        VerificationResource canceled = await VerificationResource.UpdateAsync(new UpdateVerificationOptions(service.Sid, second.Sid, VerificationResource.StatusEnum.Canceled), client);
        Assert.Equal("canceled", canceled.Status);

        RateLimitResource rateLimit = await RateLimitResource.CreateAsync(new CreateRateLimitOptions(service.Sid, "end_user_ip_address"), client);
        BucketResource bucket = await BucketResource.CreateAsync(new CreateBucketOptions(service.Sid, rateLimit.Sid, 1, 60), client);
        Assert.Equal((1, 60), (bucket.Max, bucket.Interval));
        var limited = new Dictionary<string, object> { ["end_user_ip_address"] = "198.51.100.4" };
        await VerificationResource.CreateAsync(new CreateVerificationOptions(service.Sid, "+41793026752", "sms") { RateLimits = limited }, client);
        ApiException tooMany = await Assert.ThrowsAsync<ApiException>(() =>
            VerificationResource.CreateAsync(new CreateVerificationOptions(service.Sid, "+41793026753", "sms") { RateLimits = limited }, client));
        Assert.Equal((429, 20429), (tooMany.Status, tooMany.Code));

        Assert.True(await ServiceResource.DeleteAsync(new DeleteServiceOptions(service.Sid), client));
        ApiException deleted = await Assert.ThrowsAsync<ApiException>(() => ServiceResource.FetchAsync(new FetchServiceOptions(service.Sid), client));
        Assert.Equal(20404, deleted.Code);
    }

    /// <summary>Sends what the library addresses to Twilio's host to the OpenTfa under test instead.</summary>
    private sealed class MoveToOpenTfa(Uri openTfa) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = openTfa.Scheme, Host = openTfa.Host, Port = openTfa.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
