using System.Collections.Concurrent;
using System.Data;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <remarks>
/// Connections stay open for the store's lifetime and keep their prepared statements, so a
/// request pays neither an open, nor the pragmas, nor the parsing of its SQL. Reads take a
/// connection from a small pool (WAL lets them run beside the writer). Writes go through one
/// writer connection in group commits: the operations that queued while the previous commit
/// ran share the next transaction, each inside its own savepoint, so a failing operation
/// rolls back alone while the others commit; every caller hears back only once its
/// operation is committed. Operations still run one after the other, each seeing the ones
/// before it, so limits and attempts stay exact; the batch only shares the commit (the WAL
/// append and, with synchronous=FULL, the fsync).
/// </remarks>
public sealed partial class SqliteStore
{
    private const int MaxOperationsPerCommit = 64;
    private const int MaxIdleReaders = 16;

    private readonly ConcurrentQueue<CachingConnection> _readers = new();
    private int _idleReaders;
    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _writerStart = new();
    private Task? _writerLoop;
    private readonly LimitWindows _limitWindows = new();
    private CachingConnection? _writer;
    private long _dataVersion;
    private volatile bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writes.Writer.TryComplete();
        try
        {
            _writerLoop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The loop reports its failures to the operations it ran; nothing is left to tell.
        }

        _writer?.Dispose();
        while (_readers.TryDequeue(out CachingConnection? reader))
        {
            reader.Dispose();
        }
    }

    private CachingConnection OpenCaching()
    {
        var connection = new CachingConnection(_connectionString);
        try
        {
            connection.Open();
            using SqliteCommand pragma = connection.CreateCommand();
            pragma.CommandText = _pragmas;
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private CachingConnection RentReader()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readers.TryDequeue(out CachingConnection? pooled))
        {
            Interlocked.Decrement(ref _idleReaders);
            return pooled;
        }

        return OpenCaching();
    }

    private void ReturnReader(CachingConnection connection)
    {
        if (_disposed || Interlocked.Increment(ref _idleReaders) > MaxIdleReaders)
        {
            if (!_disposed)
            {
                Interlocked.Decrement(ref _idleReaders);
            }

            connection.Dispose();
            return;
        }

        _readers.Enqueue(connection);
    }

    /// <summary>Queues <paramref name="work"/> for the writer; the task completes once its transaction has committed.</summary>
    private Task<T> EnqueueWrite<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(work, cancellationToken);
        if (_writerLoop is null)
        {
            lock (_writerStart)
            {
                _writerLoop ??= Task.Run(RunWriterAsync, CancellationToken.None);
            }
        }

        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(operation), this);

        return operation.Task;
    }

    private async Task RunWriterAsync()
    {
        var batch = new List<WriteOperation>(MaxOperationsPerCommit);
        ChannelReader<WriteOperation> queue = _writes.Reader;
        while (await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxOperationsPerCommit && queue.TryRead(out WriteOperation? operation))
            {
                if (operation.TryStart())
                {
                    batch.Add(operation);
                }
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
    }

    private async Task CommitAsync(List<WriteOperation> batch)
    {
        SqliteTransaction? transaction = null;
        try
        {
            if (_writer is null)
            {
                _writer = OpenCaching();
                _limitWindows.Clear();
            }

            transaction = _writer.BeginTransaction(IsolationLevel.Serializable);
            await ForgetOtherWritersAsync(_writer, transaction).ConfigureAwait(false);
            if (batch.Count == 1)
            {
                // Alone in its transaction: a failure rolls the whole transaction back.
                try
                {
                    _limitWindows.BeginOperation();
                    await batch[0].RunAsync(_writer, transaction).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    transaction.Rollback();
                    _limitWindows.UndoOperation();
                    batch[0].Fail(ex);
                    batch[0].Complete();
                    return;
                }
            }
            else
            {
                foreach (WriteOperation operation in batch)
                {
                    await RunInSavepointAsync(_writer, transaction, operation, _limitWindows).ConfigureAwait(false);
                }
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            // Nothing of this batch committed. The connection is replaced, in case it is the
            // reason; the next batch opens a fresh one.
            _limitWindows.Clear();
            foreach (WriteOperation operation in batch)
            {
                operation.Fail(ex);
                operation.Complete();
            }

            try
            {
                transaction?.Dispose();
            }
            catch (SqliteException)
            {
                // Already rolled back by SQLite itself.
            }

            transaction = null;
            _writer?.Dispose();
            _writer = null;
            return;
        }
        finally
        {
            transaction?.Dispose();
        }

        foreach (WriteOperation operation in batch)
        {
            operation.Complete();
        }
    }

    private static async Task RunInSavepointAsync(SqliteConnection connection, SqliteTransaction transaction, WriteOperation operation, LimitWindows limitWindows)
    {
        await ExecuteAsync(connection, transaction, "SAVEPOINT operation", CancellationToken.None).ConfigureAwait(false);
        try
        {
            limitWindows.BeginOperation();
            await operation.RunAsync(connection, transaction).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await ExecuteAsync(connection, transaction, "ROLLBACK TO operation", CancellationToken.None).ConfigureAwait(false);
            limitWindows.UndoOperation();
            operation.Fail(ex);
        }

        await ExecuteAsync(connection, transaction, "RELEASE operation", CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops what the writer holds in memory when another connection (another process on the
    /// file) committed since this connection's last transaction. Runs with the write lock held,
    /// so nobody else can commit until this transaction ends.
    /// </summary>
    private async Task ForgetOtherWritersAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        await using SqliteCommand command = Command(connection, transaction, "PRAGMA data_version");
        long version = (long)(await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!;
        if (version != _dataVersion)
        {
            _limitWindows.Clear();
            _dataVersion = version;
        }
    }

    private abstract class WriteOperation
    {
        /// <summary>False when the caller gave up before the operation started; it is then skipped.</summary>
        public abstract bool TryStart();

        public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>The operation's changes are gone (rolled back); its caller gets <paramref name="error"/>.</summary>
        public abstract void Fail(Exception error);

        /// <summary>The transaction committed: the caller gets the result (or the failure recorded before).</summary>
        public abstract void Complete();
    }

    private sealed class WriteOperation<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _error;

        public Task<T> Task => _completion.Task;

        public override bool TryStart()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                _completion.TrySetCanceled(cancellationToken);
                return false;
            }

            return true;
        }

        public override async Task RunAsync(SqliteConnection connection, SqliteTransaction transaction) =>
            _result = await work(connection, transaction).ConfigureAwait(false);

        public override void Fail(Exception error) => _error ??= error;

        public override void Complete()
        {
            switch (_error)
            {
                case null:
                    _completion.TrySetResult(_result!);
                    break;
                case OperationCanceledException canceled:
                    _completion.TrySetCanceled(canceled.CancellationToken);
                    break;
                default:
                    _completion.TrySetException(_error);
                    break;
            }
        }
    }

    /// <summary>A connection that keeps one prepared command per SQL text for reuse.</summary>
    private sealed class CachingConnection(string connectionString) : SqliteConnection(connectionString)
    {
        private const int MaxCachedCommands = 256;
        private readonly Dictionary<string, ReusableCommand> _commands = new(StringComparer.Ordinal);

        /// <summary>The cached command for <paramref name="sql"/>, or a new one when that is in use (or the cache is full).</summary>
        public SqliteCommand Rent(string sql)
        {
            if (_commands.TryGetValue(sql, out ReusableCommand? cached))
            {
                if (cached.InUse)
                {
                    return new SqliteCommand(sql, this);
                }

                cached.InUse = true;
                return cached;
            }

            if (_commands.Count >= MaxCachedCommands)
            {
                return new SqliteCommand(sql, this);
            }

            var command = new ReusableCommand(sql, this) { InUse = true };
            _commands[sql] = command;
            return command;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (ReusableCommand command in _commands.Values)
                {
                    command.Release();
                }

                _commands.Clear();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Disposing it hands it back to its connection, prepared statement and parameters kept.</summary>
    private sealed class ReusableCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _released;

        public bool InUse { get; set; }

        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_released)
            {
                Transaction = null;
                InUse = false;
                return;
            }

            base.Dispose(disposing);
        }
    }
}
