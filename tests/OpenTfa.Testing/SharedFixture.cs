using Xunit;

namespace OpenTfa.Testing;

/// <summary>
/// One <typeparamref name="T"/> — a peer, a server — started once for a test class or collection
/// and disposed at its end. Subclasses say how to start it and name it for their tests.
/// </summary>
public abstract class SharedFixture<T> : IAsyncLifetime
    where T : class, IAsyncDisposable
{
    private T? _value;

    /// <summary>The started <typeparamref name="T"/>.</summary>
    protected T Value => _value ?? throw new InvalidOperationException($"The {typeof(T).Name} of {GetType().Name} is not started.");

    public async Task InitializeAsync() => _value = await StartAsync();

    public virtual async Task DisposeAsync()
    {
        if (_value is not null)
        {
            await _value.DisposeAsync();
        }
    }

    protected abstract Task<T> StartAsync();
}
