using System.Collections.Concurrent;
using System.Data;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <remarks>
/// Connections stay open for the store's lifetime and keep their prepared statements, so a
/// request pays neither an open, nor the pragmas, nor the parsing of its SQL. Reads take a
/// connection from a small pool (WAL lets them run beside the writer). Writes go through one
/// writer connection in group commits: the operations that queued while the previous commit
/// ran share the next transaction, and every caller hears back only once its operation is
/// committed. A failing operation fails alone: the others run again without it. Operations
/// still run one after the other, each seeing the ones before it, so limits and attempts stay
/// exact; the batch only shares the commit (the WAL append and, with synchronous=FULL, the
/// fsync).
/// </remarks>
public sealed partial class SqliteStore
{
    private const int MaxOperationsPerCommit = 64;
    /// <summary>
    /// Readers kept open: enough for every request in flight at once on a busy node, so that
    /// none pays for opening a connection and preparing its statements again.
    /// </summary>
    private const int MaxIdleReaders = 64;

    /// <summary>
    /// The writer checkpoints only past this many WAL pages (about 80 MB); below it the
    /// background checkpointer keeps the WAL short, so that commits do not wait for the copy
    /// into the database file and its syncs.
    /// </summary>
    private const string WriterPragmas = "PRAGMA wal_autocheckpoint=20000; PRAGMA journal_size_limit=67108864;";

    /// <summary>
    /// Short, so that each checkpoint has little to copy: after a checkpoint the writer restarts
    /// the WAL and syncs its header (synchronous=NORMAL needs that sync to stay safe on power
    /// loss), and that sync holds every commit queued behind it for as long as the data written
    /// since the checkpoint takes to flush. At 50 ms instead of 200 ms the benchmark's verify p99
    /// at half load fell from 17 ms to 8 ms.
    /// </summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentQueue<CachingConnection> _readers = new();
    private int _idleReaders;
    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _writerStart = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _writerLoop;
    private Task? _checkpointLoop;
    private long _commits;
    private readonly LimitWindows _limitWindows = new();
    private readonly ConfigCache _configCache = new();
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

        _stopping.Cancel();
        try
        {
            _checkpointLoop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // A checkpoint that failed is done by the next start, or by the writer itself.
        }

        _stopping.Dispose();

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
            ApplyPragmas(connection);
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
                _checkpointLoop ??= Task.Run(RunCheckpointsAsync, CancellationToken.None);
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

    /// <summary>
    /// Runs the batch in one transaction. Optimistic: no savepoint per operation. When an
    /// operation throws, the transaction rolls back, that operation alone fails, and the others
    /// run again in a new transaction; given the same database they decide the same.
    /// </summary>
    private async Task CommitAsync(List<WriteOperation> batch)
    {
        while (batch.Count > 0)
        {
            int failed;
            try
            {
                failed = await TryCommitAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                NoteWriteFailure(ex);
                // Nothing of this batch committed, and the connection may be the reason: the
                // next batch opens a fresh one.
                _limitWindows.Clear();
                _configCache.Invalidate();
                foreach (WriteOperation operation in batch)
                {
                    operation.Fail(ex);
                    operation.Complete();
                }

                _writer?.Dispose();
                _writer = null;
                return;
            }

            if (failed < 0)
            {
                foreach (WriteOperation operation in batch)
                {
                    operation.Complete();
                }

                return;
            }

            batch[failed].Complete();
            batch.RemoveAt(failed);
        }
    }

    /// <summary>Commits every operation of the batch and returns -1, or rolls back and returns the index of the one that threw.</summary>
    private async Task<int> TryCommitAsync(List<WriteOperation> batch)
    {
        if (_writer is null)
        {
            _writer = OpenCaching();
            await using (SqliteCommand pragmas = _writer.CreateCommand())
            {
                pragmas.CommandText = WriterPragmas;
                await pragmas.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            _limitWindows.Clear();
        }

        using SqliteTransaction transaction = _writer.BeginTransaction(IsolationLevel.Serializable);
        await ForgetOtherWritersAsync(_writer, transaction).ConfigureAwait(false);
        _limitWindows.Mark();
        for (int i = 0; i < batch.Count; i++)
        {
            try
            {
                await batch[i].RunAsync(_writer, transaction).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                NoteWriteFailure(ex);
                batch[i].Fail(ex);
                transaction.Rollback();
                _limitWindows.RollBack();
                RetireConfigIfTouched();
                return i;
            }
        }

        transaction.Commit();
        Interlocked.Increment(ref _commits);
        RetireConfigIfTouched();
        return -1;
    }

    /// <summary>
    /// Copies committed pages from the WAL into the database file beside the writer, without
    /// blocking it (a passive checkpoint waits for nobody), whenever something was committed.
    /// </summary>
    private async Task RunCheckpointsAsync()
    {
        SqliteConnection? connection = null;
        long checkpointed = 0;
        using var timer = new PeriodicTimer(CheckpointInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                long commits = Interlocked.Read(ref _commits);
                if (commits == checkpointed)
                {
                    continue;
                }

                try
                {
                    connection ??= OpenCaching();
                    await using SqliteCommand checkpoint = connection.CreateCommand();
                    checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    await checkpoint.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
                    checkpointed = commits;
                }
                catch (SqliteException)
                {
                    // Tried again at the next tick; past its limit the writer checkpoints itself.
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The store is closing.
        }
        finally
        {
            connection?.Dispose();
        }
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
            _configCache.Invalidate();
            _dataVersion = version;
        }
    }

    private void RetireConfigIfTouched()
    {
        if (_writer is { ConfigTouched: true })
        {
            _writer.ConfigTouched = false;
            _configCache.Invalidate();
        }
    }

    /// <summary>A read of a rarely changing row, answered from <see cref="_configCache"/> when it holds the row.</summary>
    private async Task<T?> CachedReadAsync<T>((string Kind, string A, string B, string C) key, Func<SqliteConnection, Task<T?>> read, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
        where T : class
    {
        if (_configCache.TryGet(key, out T? held))
        {
            return held;
        }

        long generation = _configCache.Generation;
        T? value = await ReadAsync(read, cancellationToken, operation);
        _configCache.Put(key, value, generation);
        return value;
    }

    private abstract class WriteOperation
    {
        /// <summary>False when the caller gave up before the operation started; it is then skipped.</summary>
        public abstract bool TryStart();

        public abstract Task RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>The operation threw; its caller gets <paramref name="error"/> once <see cref="Complete"/> runs.</summary>
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

        /// <summary>A statement of the current transaction named a table whose rows <see cref="ConfigCache"/> holds.</summary>
        public bool ConfigTouched { get; set; }

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
