using Microsoft.Data.Sqlite;
using OpenTfa.Testing;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The background WAL checkpointer beside the writer, on a real database file.</summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private const int RowBytes = 256 * 1024;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly TempDatabase _database = new();
    private readonly SqliteWriter _writer;
    private readonly SqliteCheckpointer _checkpointer;

    public SqliteCheckpointerTests()
    {
        var connections = new SqliteConnectionFactory(_database.Options);
        _writer = new SqliteWriter(connections, new LimitWindows(), new ConfigCache(), new HotPins(), _ => { });
        _checkpointer = new SqliteCheckpointer(connections, () => _writer.Commits);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _checkpointer.Dispose();
        _database.Dispose();
    }

    [Fact]
    public async Task Checkpoint_AfterACommit_CopiesItsPagesIntoTheDatabaseFile()
    {
        await InitializeAsync();
        long before = new FileInfo(_database.Path).Length;

        await WriteRowsAsync(8);

        // The writer alone would leave these pages in the WAL until it holds about 80 MB.
        // The file grows while the checkpoint runs, and the counter moves once it has returned.
        await Poll.UntilAsync(() => new FileInfo(_database.Path).Length >= before + (8 * RowBytes) && _checkpointer.Checkpoints >= 1, Deadline,
            () => $"the database file holds {new FileInfo(_database.Path).Length} bytes after 8 rows of {RowBytes} bytes, after {_checkpointer.Checkpoints} checkpoints");
    }

    [Fact]
    public async Task Checkpoint_AfterEachRoundOfWrites_KeepsTheWalFromGrowing()
    {
        await InitializeAsync();

        for (int round = 0; round < 8; round++)
        {
            long checkpoints = _checkpointer.Checkpoints;
            await WriteRowsAsync(4);
            await Poll.UntilAsync(() => _checkpointer.Checkpoints > checkpoints, Deadline, () => $"no checkpoint after round {round}");
        }

        // 8 MB were written; each round reuses the WAL from its start once the last one was copied,
        // so it holds a few rounds at most (a checkpoint that meets the next round's write may
        // leave one or two more in it on a loaded machine), never all eight.
        long wal = new FileInfo(_database.Path + "-wal").Length;
        Assert.InRange(wal, 1, 4 * 4 * RowBytes);
    }

    private async Task InitializeAsync()
    {
        await using (SqliteConnection connection = await new SqliteConnectionFactory(_database.Options).OpenAsync(CancellationToken.None))
        {
            await SqliteSql.ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", CancellationToken.None);
        }

        _checkpointer.Start();
        await _writer.EnqueueAsync((c, t) => SqliteSql.ExecuteAsync(c, t, "CREATE TABLE blobs (room BLOB)", CancellationToken.None), CancellationToken.None);
    }

    private Task<int> WriteRowsAsync(int rows) =>
        _writer.EnqueueAsync(async (c, t) =>
        {
            for (int i = 0; i < rows; i++)
            {
                await SqliteSql.ExecuteAsync(c, t, "INSERT INTO blobs VALUES (randomblob($bytes))", CancellationToken.None, ("$bytes", RowBytes));
            }

            return rows;
        }, CancellationToken.None);
}
