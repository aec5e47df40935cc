using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The group-commit writer on a real database file.</summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly SqliteConnectionFactory _connections;
    private readonly List<Exception> _failures = [];
    private readonly SqliteWriter _writer;

    public SqliteWriterTests()
    {
        _connections = new SqliteConnectionFactory(_database.Options);
        _writer = new SqliteWriter(_connections, new LimitWindows(), new ConfigCache(), new HotPins(), _failures.Add);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Enqueue_WritesQueuedWhileACommitRuns_ShareTheNextCommitAndEachGetsItsOwnResult()
    {
        await CreateTableAsync();
        Task<int> blocker = BlockWriterAsync(out TaskCompletionSource release, out Task started);
        await started;

        Task<long>[] writes = Enumerable.Range(1, 10).Select(i => _writer.EnqueueAsync((c, t) => InsertAsync(c, t, i), CancellationToken.None)).ToArray();
        release.SetResult();

        Assert.Equal(0, await blocker);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), await Task.WhenAll(writes));
        // The table, the blocking operation, then all ten queued writes in one transaction.
        Assert.Equal(3, _writer.Commits);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), await ReadIdsAsync());
    }

    [Fact]
    public async Task Enqueue_OneOperationOfABatchThrows_ThatCallerAloneFailsAndTheOthersCommit()
    {
        await CreateTableAsync();
        await _writer.EnqueueAsync((c, t) => InsertAsync(c, t, 3), CancellationToken.None);
        Task<int> blocker = BlockWriterAsync(out TaskCompletionSource release, out Task started);
        await started;

        // The third write inserts an id that exists: the database refuses it.
        Task<long>[] writes = Enumerable.Range(1, 5).Select(i => _writer.EnqueueAsync((c, t) => InsertAsync(c, t, i), CancellationToken.None)).ToArray();
        release.SetResult();
        await blocker;

        SqliteException refused = await Assert.ThrowsAsync<SqliteException>(() => writes[2]);
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT
        long[] committed = await Task.WhenAll(writes.Where((_, i) => i != 2));
        Assert.Equal([1L, 2L, 4L, 5L], committed);
        List<long> ids = await ReadIdsAsync();
        Assert.Equal([1L, 2L, 3L, 4L, 5L], ids);
        Assert.Same(refused, Assert.Single(_failures));
    }

    [Fact]
    public async Task Enqueue_CallerGivesUpBeforeItsTurn_IsSkippedAndWritesNothing()
    {
        await CreateTableAsync();
        Task<int> blocker = BlockWriterAsync(out TaskCompletionSource release, out Task started);
        await started;

        using var giveUp = new CancellationTokenSource();
        Task<long> abandoned = _writer.EnqueueAsync((c, t) => InsertAsync(c, t, 1), giveUp.Token);
        Task<long> kept = _writer.EnqueueAsync((c, t) => InsertAsync(c, t, 2), CancellationToken.None);
        giveUp.Cancel();
        release.SetResult();
        await blocker;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal(2, await kept);
        List<long> ids = await ReadIdsAsync();
        Assert.Equal([2L], ids);
    }

    [Fact]
    public async Task Dispose_LetsQueuedWritesCommitThenRefusesNewOnes()
    {
        await CreateTableAsync();
        Task<int> blocker = BlockWriterAsync(out TaskCompletionSource release, out Task started);
        await started;
        Task<long> queued = _writer.EnqueueAsync((c, t) => InsertAsync(c, t, 7), CancellationToken.None);

        Task disposing = Task.Run(_writer.Dispose);
        release.SetResult();
        await disposing;

        Assert.Equal(7, await queued);
        Assert.Throws<ObjectDisposedException>(() => { _ = _writer.EnqueueAsync((c, t) => InsertAsync(c, t, 8), CancellationToken.None); });
        List<long> ids = await ReadIdsAsync();
        Assert.Equal([7L], ids);
    }

    private Task<int> CreateTableAsync() =>
        _writer.EnqueueAsync((c, t) => SqliteSql.ExecuteAsync(c, t, "CREATE TABLE items (id INTEGER PRIMARY KEY)", CancellationToken.None), CancellationToken.None);

    /// <summary>An operation that holds the writer inside its transaction until released, so that others queue behind it.</summary>
    private Task<int> BlockWriterAsync(out TaskCompletionSource release, out Task started)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        release = gate;
        started = running.Task;
        return _writer.EnqueueAsync(async (_, _) =>
        {
            running.SetResult();
            await gate.Task;
            return 0;
        }, CancellationToken.None);
    }

    private static async Task<long> InsertAsync(SqliteConnection connection, SqliteTransaction transaction, long id)
    {
        await SqliteSql.ExecuteAsync(connection, transaction, "INSERT INTO items(id) VALUES ($id)", CancellationToken.None, ("$id", id));
        return id;
    }

    private async Task<List<long>> ReadIdsAsync()
    {
        await using SqliteConnection connection = await _connections.OpenAsync(CancellationToken.None);
        return await SqliteSql.QueryAsync(connection, null, "SELECT id FROM items ORDER BY id", r => r.GetInt64(0), CancellationToken.None);
    }
}
