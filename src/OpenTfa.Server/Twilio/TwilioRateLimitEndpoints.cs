using OpenTfa.Contracts.Twilio;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using static OpenTfa.Server.Twilio.TwilioEndpoints;

namespace OpenTfa.Server.Twilio;

/// <summary>Twilio's rate limits and their buckets under a service: create, fetch, list, update (POST) and delete.</summary>
internal static class TwilioRateLimitEndpoints
{
    public static void Map(RouteGroupBuilder rateLimits)
    {
        rateLimits.MapPost("/", CreateAsync);
        rateLimits.MapGet("/", ListAsync);
        rateLimits.MapGet("/{rateLimitSid}", FetchAsync);
        rateLimits.MapPost("/{rateLimitSid}", UpdateAsync);
        rateLimits.MapDelete("/{rateLimitSid}", DeleteAsync);
        rateLimits.MapPost("/{rateLimitSid}/Buckets", CreateBucketAsync);
        rateLimits.MapGet("/{rateLimitSid}/Buckets", ListBucketsAsync);
        rateLimits.MapGet("/{rateLimitSid}/Buckets/{bucketSid}", FetchBucketAsync);
        rateLimits.MapPost("/{rateLimitSid}/Buckets/{bucketSid}", UpdateBucketAsync);
        rateLimits.MapDelete("/{rateLimitSid}/Buckets/{bucketSid}", DeleteBucketAsync);
    }

    private static async Task<IResult> CreateAsync(string serviceSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, null, null) is not { } ids
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, form => (Name: form.Text("UniqueName"), Description: form.Text("Description")), async input =>
                RateLimit(http, await rateLimits.CreateAsync(http.Caller().TenantId, ids.Service, input.Name, input.Description, ct), StatusCodes.Status201Created));

    private static async Task<IResult> ListAsync(string serviceSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, null, null) is not { } ids
            ? NotFound(http.Request)
            : Answer(Paged(http, await rateLimits.ListAsync(http.Caller().TenantId, ids.Service, null, ct), "rate_limits"),
                page => new RateLimitPage { RateLimits = [.. page.Items.Select(r => TwilioWire.RateLimit(http.Request, r))], Meta = page.Meta }, TwilioJsonContext.Wire.RateLimitPage);

    private static async Task<IResult> FetchAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is not { } ids
            ? NotFound(http.Request)
            : RateLimit(http, await rateLimits.GetAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, bucket: false, ct));

    private static async Task<IResult> UpdateAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is not { } ids
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, form => form.Text("Description"), async description =>
                RateLimit(http, await rateLimits.UpdateAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, description, ct)));

    private static async Task<IResult> DeleteAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is not { } ids
            ? NotFound(http.Request)
            : Deleted(await rateLimits.DeleteAsync(http.Caller().TenantId, ids.Service, null, ids.RateLimit!, ct));

    private static async Task<IResult> CreateBucketAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is not { } ids
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, ReadBucket, async bucket =>
                Bucket(http, await rateLimits.CreateBucketAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, bucket.Max, bucket.Interval, ct), StatusCodes.Status201Created));

    private static async Task<IResult> ListBucketsAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is not { } ids
            ? NotFound(http.Request)
            : Answer(Paged(http, await rateLimits.ListAsync(http.Caller().TenantId, ids.Service, ids.RateLimit, ct), "buckets"),
                page => new BucketPage { Buckets = [.. page.Items.Select(b => TwilioWire.Bucket(http.Request, b))], Meta = page.Meta }, TwilioJsonContext.Wire.BucketPage);

    private static async Task<IResult> FetchBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct)
    {
        if (Ids(serviceSid, rateLimitSid, bucketSid) is not { } ids)
        {
            return NotFound(http.Request);
        }

        Result<TwilioRateLimit> bucket = await rateLimits.GetAsync(http.Caller().TenantId, ids.Service, ids.Bucket!, bucket: true, ct);
        return bucket.IsSuccess && bucket.Value.ParentId != ids.RateLimit ? NotFound(http.Request) : Bucket(http, bucket);
    }

    private static async Task<IResult> UpdateBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, bucketSid) is not { } ids
            ? NotFound(http.Request)
            : await WithFormAsync(http.Request, ReadBucket, async bucket =>
                Bucket(http, await rateLimits.UpdateBucketAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, ids.Bucket!, bucket.Max, bucket.Interval, ct)));

    private static async Task<IResult> DeleteBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, bucketSid) is not { } ids
            ? NotFound(http.Request)
            : Deleted(await rateLimits.DeleteAsync(http.Caller().TenantId, ids.Service, ids.RateLimit, ids.Bucket!, ct));

    private sealed record RouteIds(string Service, string? RateLimit, string? Bucket);

    /// <summary>The OpenTfa ids the route's SIDs name; null when any SID is not of its kind.</summary>
    private static RouteIds? Ids(string serviceSid, string? rateLimitSid, string? bucketSid)
    {
        string? service = ServiceId(serviceSid);
        string? rateLimit = rateLimitSid is null ? null : TwilioSids.IdOf(TwilioSids.RateLimitPrefix, rateLimitSid);
        string? bucket = bucketSid is null ? null : TwilioSids.IdOf(TwilioSids.BucketPrefix, bucketSid);
        return service is null || (rateLimitSid is not null && rateLimit is null) || (bucketSid is not null && bucket is null) ? null : new RouteIds(service, rateLimit, bucket);
    }

    private static (int? Max, int? Interval) ReadBucket(TwilioForm form) => (form.Int("Max"), form.Int("Interval"));

    private static Result<(List<TwilioRateLimit> Items, PageMeta Meta)> Paged(HttpContext http, Result<IReadOnlyList<TwilioRateLimit>> all, string key) =>
        all.IsSuccess ? TwilioWire.Page(http.Request, all.Value, key) : all.Error;

    private static IResult RateLimit(HttpContext http, Result<TwilioRateLimit> result, int status = StatusCodes.Status200OK) =>
        Answer(result, r => TwilioWire.RateLimit(http.Request, r), TwilioJsonContext.Wire.RateLimitResource, status);

    private static IResult Bucket(HttpContext http, Result<TwilioRateLimit> result, int status = StatusCodes.Status200OK) =>
        Answer(result, b => TwilioWire.Bucket(http.Request, b), TwilioJsonContext.Wire.BucketResource, status);

    private static IResult Deleted(TfaError? error) => error is null ? TypedResults.NoContent() : TwilioErrorResults.Result(error);
}
