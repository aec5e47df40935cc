namespace OpenTfa.Storage.Postgres;

/// <summary>
/// Lets one operation per key at a time go on, within this process. Operations on one key
/// are serialised by a database lock anyway; waiting for their turn here, before taking a
/// pooled connection, keeps a crowd of them from holding every connection of the pool while
/// they wait for that lock, which would leave nothing for any other request.
/// </summary>
internal sealed class KeyedTurns
{
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);

    /// <summary>Waits for the key's turn; disposing the answer hands the turn on.</summary>
    public async ValueTask<IDisposable> TakeAsync(string key, CancellationToken cancellationToken)
    {
        Turn turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(key, out turn!))
            {
                turn = new Turn(this, key);
                _turns.Add(key, turn);
            }

            turn.Holders++;
        }

        try
        {
            await turn.Gate.WaitAsync(cancellationToken);
            return turn;
        }
        catch
        {
            turn.Leave();
            throw;
        }
    }

    /// <summary>Keys with a holder or a waiter; zero when nothing is going on.</summary>
    internal int Count
    {
        get
        {
            lock (_turns)
            {
                return _turns.Count;
            }
        }
    }

    private sealed class Turn(KeyedTurns owner, string key) : IDisposable
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>The holder and waiters; guarded by the owner's dictionary.</summary>
        public int Holders { get; set; }

        public void Dispose()
        {
            Gate.Release();
            Leave();
        }

        public void Leave()
        {
            lock (owner._turns)
            {
                if (--Holders == 0)
                {
                    owner._turns.Remove(key);
                }
            }
        }
    }
}
