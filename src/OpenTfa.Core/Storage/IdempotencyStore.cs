namespace OpenTfa.Core.Storage;

/// <summary>What the store knows of an idempotency key when a request arrives with it.</summary>
public abstract record IdempotencyBegin
{
    /// <summary>The key is new (or its earlier use expired or was abandoned): this request runs and owns it.</summary>
    public sealed record Started : IdempotencyBegin;

    /// <summary>A request with the same key and body is running now; wait for its answer.</summary>
    public sealed record InFlight : IdempotencyBegin;

    /// <summary>The same key and body were answered before: replay that answer.</summary>
    public sealed record Completed(int Status, byte[] Body) : IdempotencyBegin;

    /// <summary>The key was used with another body.</summary>
    public sealed record Mismatch : IdempotencyBegin;
}

/// <summary>
/// Idempotency keys on sends and resends, scoped per tenant and endpoint. Only successful
/// answers are kept; a refused or failed request abandons its key so that a retry runs.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Atomically claims the key for this request, or reports its state. A claim older than
    /// <paramref name="inFlightTimeout"/> whose owner never answered (a crashed node) is taken over.
    /// </summary>
    Task<IdempotencyBegin> BeginIdempotentAsync(string tenantId, string scope, string key, byte[] fingerprint, DateTimeOffset now, TimeSpan inFlightTimeout, CancellationToken cancellationToken);

    /// <summary>Stores the answer; it is replayed until <paramref name="expiresAt"/>.</summary>
    Task CompleteIdempotentAsync(string tenantId, string scope, string key, int status, byte[] body, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Forgets a claim whose request was refused or failed.</summary>
    Task AbandonIdempotentAsync(string tenantId, string scope, string key, CancellationToken cancellationToken);
}
