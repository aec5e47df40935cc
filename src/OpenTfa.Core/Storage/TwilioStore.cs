using OpenTfa.Core.Twilio;

namespace OpenTfa.Core.Storage;

/// <summary>The Twilio surface's own state: service settings, rate limits and their buckets.</summary>
public interface ITwilioStore
{
    /// <summary>The service settings of an application as stored JSON, or null when it has none (the defaults apply).</summary>
    Task<string?> GetServiceSettingsAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces an application's service settings.</summary>
    Task SaveServiceSettingsAsync(string tenantId, string applicationId, string settingsJson, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores a rate limit or bucket; false, storing nothing, when a rate limit of the service already has its unique name.</summary>
    Task<bool> CreateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken);

    /// <summary>Every rate limit and bucket of a service, oldest first.</summary>
    Task<IReadOnlyList<TwilioRateLimit>> ListRateLimitsAsync(string tenantId, string applicationId, CancellationToken cancellationToken);

    /// <summary>Replaces the description (rate limit) or max and interval (bucket); false when it does not exist.</summary>
    Task<bool> UpdateRateLimitAsync(TwilioRateLimit rateLimit, CancellationToken cancellationToken);

    /// <summary>Deletes a rate limit with its buckets, or one bucket; false when it does not exist.</summary>
    Task<bool> DeleteRateLimitAsync(string tenantId, string applicationId, string id, CancellationToken cancellationToken);
}
