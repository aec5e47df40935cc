using OpenTfa.Core.Storage;

namespace OpenTfa.Storage.Compliance;

/// <summary>A store as the compliance suite sees it: its five roles, and how to clean it up.</summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly object _store;
    private readonly Func<ValueTask>? _cleanup;

    private StoreUnderTest(object store, ITenantStore tenants, IApplicationStore applications, IEmailBodyStore emailBodies, IPinStore pins, IOutboxStore outbox, IStoreMaintenance maintenance, Func<ValueTask>? cleanup)
    {
        _store = store;
        Tenants = tenants;
        Applications = applications;
        EmailBodies = emailBodies;
        Pins = pins;
        Outbox = outbox;
        Maintenance = maintenance;
        _cleanup = cleanup;
    }

    public ITenantStore Tenants { get; }

    public IApplicationStore Applications { get; }

    public IEmailBodyStore EmailBodies { get; }

    /// <summary>The store object itself, for roles added after this wrapper's constructor.</summary>
    public object Raw => _store;

    public IPinStore Pins { get; }

    public IOutboxStore Outbox { get; }

    public IStoreMaintenance Maintenance { get; }

    /// <summary>
    /// Wraps one store object that plays every role. On dispose the store is disposed (if it is
    /// disposable), then <paramref name="cleanup"/> runs (e.g. to drop its database or delete its file).
    /// </summary>
    public static StoreUnderTest Create<TStore>(TStore store, Func<ValueTask>? cleanup = null)
        where TStore : class, ITenantStore, IApplicationStore, IEmailBodyStore, IPinStore, IOutboxStore, IStoreMaintenance =>
        new(store, store, store, store, store, store, store, cleanup);

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
