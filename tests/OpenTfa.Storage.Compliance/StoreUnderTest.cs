using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

/// <summary>A store as the compliance suite sees it: the provider's roles, and how to clean it up.</summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly IStoreRoles _store;
    private readonly Func<ValueTask>? _cleanup;

    private StoreUnderTest(IStoreRoles store, Func<ValueTask>? cleanup)
    {
        _store = store;
        _cleanup = cleanup;
    }

    public ITenantStore Tenants => _store.Tenants;

    public IApplicationStore Applications => _store.Applications;

    public IEmailBodyStore EmailBodies => _store.EmailBodies;

    public IIdempotencyStore Idempotency => _store.Idempotency;

    public IProtectionStore Protection => _store.Protection;

    public IPinStore Pins => _store.Pins;

    public IOutboxStore Outbox => _store.Outbox;

    public IStoreMaintenance Maintenance => _store.Maintenance;

    public IWebhookStore Webhooks => _store.Webhooks;

    public IAuditStore Audit => _store.Audit;

    public IAnalyticsStore Analytics => _store.Analytics;

    public ITwilioStore Twilio => _store.Twilio;

    public IWorkflowStore Workflows => _store.Workflows;

    /// <summary>
    /// Wraps one store. On dispose the store is disposed (if it is disposable), then
    /// <paramref name="cleanup"/> runs (e.g. to drop its database or delete its file).
    /// </summary>
    public static StoreUnderTest Create(IStoreRoles store, Func<ValueTask>? cleanup = null) => new(store, cleanup);

    public async ValueTask DisposeAsync()
    {
        switch (_store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        if (_cleanup is not null)
        {
            await _cleanup();
        }
    }
}
