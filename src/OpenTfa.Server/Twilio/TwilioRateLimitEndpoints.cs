using OpenTfa.Contracts.Twilio;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Twilio;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;

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
        await WithFormAsync(http, serviceSid, null, null, async (ids, form) =>
            Answer(http, await rateLimits.CreateAsync(http.Caller().TenantId, ids.Service, form.Text("UniqueName"), form.Text("Description"), ct), StatusCodes.Status201Created));

    private static async Task<IResult> ListAsync(string serviceSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct)
    {
        if (TwilioEndpoints.ServiceId(serviceSid) is not { } id)
        {
            return TwilioEndpoints.NotFound(http.Request);
        }

        Result<IReadOnlyList<TwilioRateLimit>> all = await rateLimits.ListAsync(http.Caller().TenantId, id, null, ct);
        Result<(List<TwilioRateLimit> Items, PageMeta Meta)> page = all.IsSuccess ? TwilioWire.Page(http.Request, all.Value, "rate_limits") : all.Error;
        return page.IsSuccess
            ? TwilioEndpoints.Json(new RateLimitPage { RateLimits = [.. page.Value.Items.Select(r => TwilioWire.RateLimit(http.Request, r))], Meta = page.Value.Meta }, TwilioJsonContext.Wire.RateLimitPage)
            : TwilioErrorResults.Result(page.Error);
    }

    private static async Task<IResult> FetchAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is { } ids
            ? Answer(http, await rateLimits.GetAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, bucket: false, ct))
            : TwilioEndpoints.NotFound(http.Request);

    private static async Task<IResult> UpdateAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        await WithFormAsync(http, serviceSid, rateLimitSid, null, async (ids, form) =>
            Answer(http, await rateLimits.UpdateAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, form.Text("Description"), ct)));

    private static async Task<IResult> DeleteAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, null) is { } ids
            ? Deleted(await rateLimits.DeleteAsync(http.Caller().TenantId, ids.Service, null, ids.RateLimit!, ct))
            : TwilioEndpoints.NotFound(http.Request);

    private static async Task<IResult> CreateBucketAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        await WithFormAsync(http, serviceSid, rateLimitSid, null, async (ids, form) =>
        {
            int? max = form.Int("Max");
            int? interval = form.Int("Interval");
            return form.Error is { } invalid
                ? TwilioErrorResults.Result(invalid)
                : AnswerBucket(http, await rateLimits.CreateBucketAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, max, interval, ct), StatusCodes.Status201Created);
        });

    private static async Task<IResult> ListBucketsAsync(string serviceSid, string rateLimitSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct)
    {
        if (Ids(serviceSid, rateLimitSid, null) is not { } ids)
        {
            return TwilioEndpoints.NotFound(http.Request);
        }

        Result<IReadOnlyList<TwilioRateLimit>> all = await rateLimits.ListAsync(http.Caller().TenantId, ids.Service, ids.RateLimit, ct);
        Result<(List<TwilioRateLimit> Items, PageMeta Meta)> page = all.IsSuccess ? TwilioWire.Page(http.Request, all.Value, "buckets") : all.Error;
        return page.IsSuccess
            ? TwilioEndpoints.Json(new BucketPage { Buckets = [.. page.Value.Items.Select(b => TwilioWire.Bucket(http.Request, b))], Meta = page.Value.Meta }, TwilioJsonContext.Wire.BucketPage)
            : TwilioErrorResults.Result(page.Error);
    }

    private static async Task<IResult> FetchBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct)
    {
        if (Ids(serviceSid, rateLimitSid, bucketSid) is not { } ids)
        {
            return TwilioEndpoints.NotFound(http.Request);
        }

        Result<TwilioRateLimit> bucket = await rateLimits.GetAsync(http.Caller().TenantId, ids.Service, ids.Bucket!, bucket: true, ct);
        return bucket.IsSuccess && bucket.Value.ParentId != ids.RateLimit ? TwilioEndpoints.NotFound(http.Request) : AnswerBucket(http, bucket);
    }

    private static async Task<IResult> UpdateBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        await WithFormAsync(http, serviceSid, rateLimitSid, bucketSid, async (ids, form) =>
        {
            int? max = form.Int("Max");
            int? interval = form.Int("Interval");
            return form.Error is { } invalid
                ? TwilioErrorResults.Result(invalid)
                : AnswerBucket(http, await rateLimits.UpdateBucketAsync(http.Caller().TenantId, ids.Service, ids.RateLimit!, ids.Bucket!, max, interval, ct));
        });

    private static async Task<IResult> DeleteBucketAsync(string serviceSid, string rateLimitSid, string bucketSid, HttpContext http, TwilioRateLimits rateLimits, CancellationToken ct) =>
        Ids(serviceSid, rateLimitSid, bucketSid) is { } ids
            ? Deleted(await rateLimits.DeleteAsync(http.Caller().TenantId, ids.Service, ids.RateLimit, ids.Bucket!, ct))
            : TwilioEndpoints.NotFound(http.Request);

    private sealed record RouteIds(string Service, string? RateLimit, string? Bucket);

    /// <summary>The OpenTfa ids the route's SIDs name; null when any SID is not of its kind.</summary>
    private static RouteIds? Ids(string serviceSid, string? rateLimitSid, string? bucketSid)
    {
        string? service = TwilioEndpoints.ServiceId(serviceSid);
        string? rateLimit = rateLimitSid is null ? null : TwilioSids.IdOf(TwilioSids.RateLimitPrefix, rateLimitSid);
        string? bucket = bucketSid is null ? null : TwilioSids.IdOf(TwilioSids.BucketPrefix, bucketSid);
        return service is null || (rateLimitSid is not null && rateLimit is null) || (bucketSid is not null && bucket is null) ? null : new RouteIds(service, rateLimit, bucket);
    }

    private static async Task<IResult> WithFormAsync(HttpContext http, string serviceSid, string? rateLimitSid, string? bucketSid, Func<RouteIds, TwilioForm, Task<IResult>> handle)
    {
        if (Ids(serviceSid, rateLimitSid, bucketSid) is not { } ids)
        {
            return TwilioEndpoints.NotFound(http.Request);
        }

        Result<TwilioForm> form = await TwilioForm.ReadAsync(http.Request, http.RequestAborted);
        return form.IsSuccess ? await handle(ids, form.Value) : TwilioErrorResults.Result(form.Error);
    }

    private static IResult Answer(HttpContext http, Result<TwilioRateLimit> result, int status = StatusCodes.Status200OK) =>
        result.IsSuccess
            ? TwilioEndpoints.Json(TwilioWire.RateLimit(http.Request, result.Value), TwilioJsonContext.Wire.RateLimitResource, status)
            : TwilioErrorResults.Result(result.Error);

    private static IResult AnswerBucket(HttpContext http, Result<TwilioRateLimit> result, int status = StatusCodes.Status200OK) =>
        result.IsSuccess
            ? TwilioEndpoints.Json(TwilioWire.Bucket(http.Request, result.Value), TwilioJsonContext.Wire.BucketResource, status)
            : TwilioErrorResults.Result(result.Error);

    private static IResult Deleted(TfaError? error) => error is null ? TypedResults.NoContent() : TwilioErrorResults.Result(error);
}
