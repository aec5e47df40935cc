using System.Collections.Concurrent;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// Open reader connections, kept with their prepared statements, so that a read pays neither an
/// open, nor the pragmas, nor the parsing of its SQL. WAL lets them read beside the writer. A
/// connection handed back beyond <see cref="MaxIdle"/> idle ones is closed.
/// </summary>
internal sealed class SqliteReaderPool(SqliteConnectionFactory connections, int maxIdle = SqliteReaderPool.DefaultMaxIdle) : IDisposable
{
    /// <summary>
    /// Enough for every request in flight at once on a busy node, so that none pays for opening
    /// a connection and preparing its statements again.
    /// </summary>
    public const int DefaultMaxIdle = 64;

    private readonly ConcurrentQueue<CachingConnection> _idle = new();
    private int _idleCount;
    private volatile bool _disposed;

    public int MaxIdle => maxIdle;

    /// <summary>Connections open and waiting to be rented.</summary>
    public int Idle => Volatile.Read(ref _idleCount);

    /// <summary>An idle connection, or a new one when none is idle.</summary>
    public CachingConnection Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out CachingConnection? pooled))
        {
            Interlocked.Decrement(ref _idleCount);
            return pooled;
        }

        return connections.Open();
    }

    /// <summary>Keeps <paramref name="connection"/> for the next read, or closes it when enough are idle.</summary>
    public void Return(CachingConnection connection)
    {
        if (_disposed || Interlocked.Increment(ref _idleCount) > maxIdle)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _idleCount);
            }

            connection.Dispose();
            return;
        }

        _idle.Enqueue(connection);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryDequeue(out CachingConnection? reader))
        {
            reader.Dispose();
        }
    }
}
