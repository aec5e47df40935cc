using System.Security.Cryptography;
using System.Text;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Templates;

namespace OpenTfa.Core.Twilio;

/// <summary>
/// Twilio's programmable rate limits. A verification start names rate limits with a key each
/// (<c>RateLimits={"end_user_ip_address":"203.0.113.7"}</c>); every bucket of a named limit then
/// admits at most its max starts per key in any trailing interval. Buckets become OpenTfa limit
/// checks, counted in the same atomic store step as the send's own limits, so they hold exactly
/// under concurrency and across nodes.
/// </summary>
public sealed class TwilioRateLimits(IApplicationStore applications, ITwilioStore store, TimeProvider time)
{
    public const int MaxUniqueNameLength = 64;
    public const int MaxDescriptionLength = 255;
    public const int MaxKeyLength = 256;
    public const int MaxBucketMax = 1_000_000;
    public static readonly int MaxIntervalSeconds = (int)DurationFormat.OneYear.TotalSeconds;

    public async Task<Result<TwilioRateLimit>> CreateAsync(string tenantId, string applicationId, string? uniqueName, string? description, CancellationToken cancellationToken)
    {
        if (await ServiceMissingAsync(tenantId, applicationId, cancellationToken) is { } missing)
        {
            return missing;
        }

        if (string.IsNullOrEmpty(uniqueName))
        {
            return TwilioErrors.Missing("UniqueName");
        }

        if (uniqueName.Length > MaxUniqueNameLength || !uniqueName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            return TwilioErrors.Invalid("UniqueName", $"must be at most {MaxUniqueNameLength} letters, digits, '_', '-' or '.'");
        }

        if (DescriptionError(description) is { } error)
        {
            return error;
        }

        DateTimeOffset now = time.GetUtcNow();
        var rateLimit = new TwilioRateLimit(Ids.New(), tenantId, applicationId, null, uniqueName, description, 0, 0, now, now);
        return await store.CreateRateLimitAsync(rateLimit, cancellationToken)
            ? rateLimit
            : TwilioErrors.Invalid("UniqueName", $"the service already has a rate limit named '{uniqueName}'");
    }

    public async Task<Result<TwilioRateLimit>> CreateBucketAsync(string tenantId, string applicationId, string rateLimitId, int? max, int? interval, CancellationToken cancellationToken)
    {
        Result<TwilioRateLimit> parent = await GetAsync(tenantId, applicationId, rateLimitId, bucket: false, cancellationToken);
        if (!parent.IsSuccess)
        {
            return parent.Error;
        }

        if (BucketError(max, interval, required: true) is { } error)
        {
            return error;
        }

        DateTimeOffset now = time.GetUtcNow();
        var bucket = new TwilioRateLimit(Ids.New(), tenantId, applicationId, rateLimitId, null, null, max!.Value, interval!.Value, now, now);
        await store.CreateRateLimitAsync(bucket, cancellationToken);
        return bucket;
    }

    /// <summary>A rate limit (<paramref name="bucket"/> false) or a bucket of the service; 404 (20404) for any other id.</summary>
    public async Task<Result<TwilioRateLimit>> GetAsync(string tenantId, string applicationId, string id, bool bucket, CancellationToken cancellationToken)
    {
        if (await ServiceMissingAsync(tenantId, applicationId, cancellationToken) is { } missing)
        {
            return missing;
        }

        TwilioRateLimit? found = (await store.ListRateLimitsAsync(tenantId, applicationId, cancellationToken)).FirstOrDefault(r => r.Id == id && r.IsBucket == bucket);
        return found is null
            ? TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}/RateLimits/{TwilioSids.Of(bucket ? TwilioSids.BucketPrefix : TwilioSids.RateLimitPrefix, id)}")
            : found;
    }

    /// <summary>The service's rate limits, or a rate limit's buckets when <paramref name="rateLimitId"/> is given.</summary>
    public async Task<Result<IReadOnlyList<TwilioRateLimit>>> ListAsync(string tenantId, string applicationId, string? rateLimitId, CancellationToken cancellationToken)
    {
        if (rateLimitId is not null)
        {
            Result<TwilioRateLimit> parent = await GetAsync(tenantId, applicationId, rateLimitId, bucket: false, cancellationToken);
            if (!parent.IsSuccess)
            {
                return parent.Error;
            }
        }
        else if (await ServiceMissingAsync(tenantId, applicationId, cancellationToken) is { } missing)
        {
            return missing;
        }

        IReadOnlyList<TwilioRateLimit> all = await store.ListRateLimitsAsync(tenantId, applicationId, cancellationToken);
        return Result<IReadOnlyList<TwilioRateLimit>>.Ok([.. all.Where(r => r.ParentId == rateLimitId)]);
    }

    public async Task<Result<TwilioRateLimit>> UpdateAsync(string tenantId, string applicationId, string id, string? description, CancellationToken cancellationToken)
    {
        Result<TwilioRateLimit> found = await GetAsync(tenantId, applicationId, id, bucket: false, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        if (DescriptionError(description) is { } error)
        {
            return error;
        }

        TwilioRateLimit updated = found.Value with { Description = description ?? found.Value.Description, UpdatedAt = time.GetUtcNow() };
        await store.UpdateRateLimitAsync(updated, cancellationToken);
        return updated;
    }

    public async Task<Result<TwilioRateLimit>> UpdateBucketAsync(string tenantId, string applicationId, string rateLimitId, string id, int? max, int? interval, CancellationToken cancellationToken)
    {
        Result<TwilioRateLimit> found = await GetAsync(tenantId, applicationId, id, bucket: true, cancellationToken);
        if (!found.IsSuccess || found.Value.ParentId != rateLimitId)
        {
            return found.IsSuccess ? NotFoundBucket(applicationId, id) : found.Error;
        }

        if (BucketError(max, interval, required: false) is { } error)
        {
            return error;
        }

        TwilioRateLimit updated = found.Value with { Max = max ?? found.Value.Max, IntervalSeconds = interval ?? found.Value.IntervalSeconds, UpdatedAt = time.GetUtcNow() };
        await store.UpdateRateLimitAsync(updated, cancellationToken);
        return updated;
    }

    /// <summary>Deletes a rate limit with its buckets, or a bucket of <paramref name="rateLimitId"/>.</summary>
    public async Task<TfaError?> DeleteAsync(string tenantId, string applicationId, string? rateLimitId, string id, CancellationToken cancellationToken)
    {
        Result<TwilioRateLimit> found = await GetAsync(tenantId, applicationId, id, bucket: rateLimitId is not null, cancellationToken);
        if (!found.IsSuccess || found.Value.ParentId != rateLimitId)
        {
            return found.IsSuccess ? NotFoundBucket(applicationId, id) : found.Error;
        }

        return await store.DeleteRateLimitAsync(tenantId, applicationId, id, cancellationToken) ? null : NotFoundBucket(applicationId, id);
    }

    /// <summary>
    /// The limit checks of a verification start's <c>RateLimits</c>: one per bucket of each named rate
    /// limit, keyed by the bucket and a hash of the caller's key (which is often an address or number).
    /// </summary>
    public async Task<Result<IReadOnlyList<LimitCheck>>> ChecksAsync(string tenantId, string applicationId, IReadOnlyDictionary<string, string>? keys, CancellationToken cancellationToken)
    {
        if (keys is null || keys.Count == 0)
        {
            return Result<IReadOnlyList<LimitCheck>>.Ok([]);
        }

        IReadOnlyList<TwilioRateLimit> all = await store.ListRateLimitsAsync(tenantId, applicationId, cancellationToken);
        var checks = new List<LimitCheck>();
        foreach ((string name, string key) in keys)
        {
            TwilioRateLimit? rateLimit = all.FirstOrDefault(r => !r.IsBucket && r.UniqueName == name);
            if (rateLimit is null)
            {
                return TwilioErrors.Invalid("RateLimits", $"the service has no rate limit named '{name}'");
            }

            if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength)
            {
                return TwilioErrors.Invalid("RateLimits", $"the key of '{name}' must be 1 to {MaxKeyLength} characters");
            }

            string keyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
            foreach (TwilioRateLimit bucket in all.Where(b => b.ParentId == rateLimit.Id))
            {
                checks.Add(new LimitCheck($"twilio:{bucket.Id}:{keyHash}", new RateLimit(bucket.Max, TimeSpan.FromSeconds(bucket.IntervalSeconds)),
                    $"rateLimits.{name}", $"{bucket.Max} per {bucket.IntervalSeconds} s"));
            }
        }

        return checks;
    }

    private async Task<TfaError?> ServiceMissingAsync(string tenantId, string applicationId, CancellationToken cancellationToken) =>
        await applications.GetApplicationAsync(tenantId, applicationId, cancellationToken) is null
            ? TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}")
            : null;

    private static TfaError NotFoundBucket(string applicationId, string id) =>
        TwilioErrors.NotFoundAt($"/Services/{TwilioSids.Of(TwilioSids.ServicePrefix, applicationId)}/Buckets/{TwilioSids.Of(TwilioSids.BucketPrefix, id)}");

    private static TfaError? DescriptionError(string? description) =>
        description is { Length: > MaxDescriptionLength } || (description is not null && TextRendering.HasForbiddenControl(description))
            ? TwilioErrors.Invalid("Description", $"must be at most {MaxDescriptionLength} characters without control characters")
            : null;

    private static TfaError? BucketError(int? max, int? interval, bool required)
    {
        if (required && max is null)
        {
            return TwilioErrors.Missing("Max");
        }

        if (required && interval is null)
        {
            return TwilioErrors.Missing("Interval");
        }

        if (max is { } m && m is < 1 or > MaxBucketMax)
        {
            return TwilioErrors.Invalid("Max", $"must be between 1 and {MaxBucketMax}");
        }

        return interval is { } i && (i < 1 || i > MaxIntervalSeconds)
            ? TwilioErrors.Invalid("Interval", $"must be between 1 and {MaxIntervalSeconds} seconds")
            : null;
    }
}
