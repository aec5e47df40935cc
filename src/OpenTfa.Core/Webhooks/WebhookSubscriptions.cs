using System.Collections.Concurrent;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Storage;

namespace OpenTfa.Core.Webhooks;

/// <summary>
/// The webhooks of each application, cached briefly so that publishing an event costs no store
/// round trip when nobody listens. A change made on this node takes effect at once; one made on
/// another node within <see cref="CacheDuration"/>.
/// </summary>
public sealed class WebhookSubscriptions(IWebhookStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Tenant, string Application), (IReadOnlyList<Webhook> Webhooks, DateTimeOffset At)> _cache = new();

    public async Task<IReadOnlyList<Webhook>> ForApplicationAsync(string tenantId, string applicationId, CancellationToken cancellationToken)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_cache.TryGetValue((tenantId, applicationId), out var cached) && now - cached.At < CacheDuration && now >= cached.At)
        {
            return cached.Webhooks;
        }

        IReadOnlyList<Webhook> webhooks = await store.ListWebhooksAsync(tenantId, applicationId, cancellationToken);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[(tenantId, applicationId)] = (webhooks, now);
        return webhooks;
    }

    public void Invalidate(string tenantId, string applicationId) => _cache.TryRemove((tenantId, applicationId), out _);
}

/// <summary>Wakes the webhook dispatcher when a delivery was queued.</summary>
public sealed class WebhookSignal : WakeSignal;
