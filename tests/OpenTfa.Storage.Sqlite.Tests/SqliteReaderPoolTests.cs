using System.Data;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The pool of kept-open reader connections on a real database file.</summary>
public sealed class SqliteReaderPoolTests : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly SqliteConnectionFactory _connections;

    public SqliteReaderPoolTests()
    {
        _connections = new SqliteConnectionFactory(_database.Options);
    }

    public void Dispose() => _database.Dispose();

    [Fact]
    public void Rent_AfterAReturn_ReusesTheSameOpenConnection()
    {
        using var pool = new SqliteReaderPool(_connections);
        CachingConnection first = pool.Rent();
        pool.Return(first);
        Assert.Equal(1, pool.Idle);

        CachingConnection second = pool.Rent();

        Assert.Same(first, second);
        Assert.Equal(ConnectionState.Open, second.State);
        Assert.Equal(0, pool.Idle);
        pool.Return(second);
    }

    [Fact]
    public void Return_BeyondMaxIdle_ClosesTheExtraConnectionsAndKeepsTheRest()
    {
        using var pool = new SqliteReaderPool(_connections, maxIdle: 2);
        CachingConnection[] rented = [pool.Rent(), pool.Rent(), pool.Rent(), pool.Rent()];
        Assert.Equal(4, rented.Distinct().Count());

        foreach (CachingConnection connection in rented)
        {
            pool.Return(connection);
        }

        Assert.Equal(2, pool.Idle);
        Assert.Equal([ConnectionState.Open, ConnectionState.Open, ConnectionState.Closed, ConnectionState.Closed], rented.Select(c => c.State));
        CachingConnection[] again = [pool.Rent(), pool.Rent(), pool.Rent()];
        Assert.Equal([rented[0], rented[1]], again.Take(2));
        Assert.DoesNotContain(again[2], rented);
        foreach (CachingConnection connection in again)
        {
            pool.Return(connection);
        }
    }

    [Fact]
    public void Dispose_ClosesIdleConnections_AndLaterReturnsAreClosedToo()
    {
        var pool = new SqliteReaderPool(_connections);
        CachingConnection idle = pool.Rent();
        CachingConnection busy = pool.Rent();
        pool.Return(idle);

        pool.Dispose();
        pool.Return(busy);

        Assert.Equal(ConnectionState.Closed, idle.State);
        Assert.Equal(ConnectionState.Closed, busy.State);
        Assert.Throws<ObjectDisposedException>(pool.Rent);
    }
}
