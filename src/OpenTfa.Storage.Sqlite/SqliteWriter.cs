using System.Data;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <summary>
/// The one writer connection, fed in group commits: the operations that queued while the
/// previous commit ran share the next transaction, and every caller hears back only once its
/// operation is committed. A failing operation fails alone: the others run again without it.
/// Operations still run one after the other, each seeing the ones before it, so limits and
/// attempts stay exact; the batch only shares the commit (the WAL append and, with
/// synchronous=FULL, the fsync). Writes run in immediate transactions, so concurrent requests
/// queue here instead of meeting SQLITE_BUSY.
/// </summary>
/// <remarks>
/// The writer keeps <see cref="LimitWindows"/>, <see cref="ConfigCache"/> and <see cref="HotPins"/>
/// true to what it committed: they start afresh when a transaction fails as a whole or another connection
/// committed since the last one.
/// </remarks>
internal sealed class SqliteWriter(SqliteConnectionFactory connections, LimitWindows limitWindows, ConfigCache configCache, HotPins hotPins, Action<Exception> onFailure) : IDisposable
{
    public const int MaxOperationsPerCommit = 64;

    /// <summary>
    /// The writer checkpoints only past this many WAL pages (about 80 MB); below it the
    /// <see cref="SqliteCheckpointer"/> keeps the WAL short, so that commits do not wait for the
    /// copy into the database file and its syncs.
    /// </summary>
    private const string WriterPragmas = "PRAGMA wal_autocheckpoint=20000; PRAGMA journal_size_limit=67108864;";

    private readonly Channel<WriteOperation> _writes = Channel.CreateUnbounded<WriteOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _start = new();
    private Task? _loop;
    private long _commits;
    private CachingConnection? _writer;
    private long _dataVersion;
    private volatile bool _disposed;

    /// <summary>Transactions committed so far.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Queues <paramref name="work"/>; the task completes once its transaction has committed.</summary>
    public Task<T> EnqueueAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(work, cancellationToken);
        if (_loop is null)
        {
            lock (_start)
            {
                _loop ??= Task.Run(RunAsync, CancellationToken.None);
            }
        }

        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(operation), this);

        return operation.Task;
    }

    /// <summary>Lets the operations already queued commit, then closes the connection.</summary>
    public void Dispose()
    {
        _disposed = true;
        _writes.Writer.TryComplete();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // The loop reports its failures to the operations it ran; nothing is left to tell.
        }

        _writer?.Dispose();
    }

    private async Task RunAsync()
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
                onFailure(ex);
                // Nothing of this batch committed, and the connection may be the reason: the
                // next batch opens a fresh one.
                limitWindows.Clear();
                configCache.Invalidate();
                hotPins.Clear();
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
            _writer = connections.Open();
            _writer.HotPins = hotPins;
            await using (SqliteCommand pragmas = _writer.CreateCommand())
            {
                pragmas.CommandText = WriterPragmas;
                await pragmas.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            limitWindows.Clear();
            hotPins.Clear();
        }

        using SqliteTransaction transaction = _writer.BeginTransaction(IsolationLevel.Serializable);
        await ForgetOtherWritersAsync(_writer, transaction).ConfigureAwait(false);
        limitWindows.Mark();
        for (int i = 0; i < batch.Count; i++)
        {
            try
            {
                await batch[i].RunAsync(_writer, transaction).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                onFailure(ex);
                batch[i].Fail(ex);
                transaction.Rollback();
                limitWindows.RollBack();
                hotPins.RollBack();
                RetireConfigIfTouched();
                return i;
            }
        }

        transaction.Commit();
        hotPins.Commit();
        Interlocked.Increment(ref _commits);
        RetireConfigIfTouched();
        return -1;
    }

    /// <summary>
    /// Drops what the writer holds in memory when another connection (another process on the
    /// file) committed since this connection's last transaction. Runs with the write lock held,
    /// so nobody else can commit until this transaction ends.
    /// </summary>
    private async Task ForgetOtherWritersAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        await using SqliteCommand command = SqliteSql.Command(connection, transaction, "PRAGMA data_version");
        long version = (long)(await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false))!;
        if (version != _dataVersion)
        {
            limitWindows.Clear();
            configCache.Invalidate();
            hotPins.Clear();
            _dataVersion = version;
        }
    }

    private void RetireConfigIfTouched()
    {
        if (_writer is { ConfigTouched: true })
        {
            _writer.ConfigTouched = false;
            configCache.Invalidate();
        }
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
}
