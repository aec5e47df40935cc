using Npgsql;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Storage.Compliance;
using static OpenTfa.Storage.Postgres.Tests.Records;

namespace OpenTfa.Storage.Postgres.Tests;

/// <summary>
/// Leased slices of an application's send limit: each store here is a node with its own connection
/// pool on one database, and every limit stays exact whichever node leased what, dies or changes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSendLeaseTests(PostgresFixture fixture) : IAsyncLifetime
{
    private static readonly RateLimit PerDestination = RateLimit.Parse("100/1d", DurationFormat.OneYear);
    private readonly List<Node> _nodes = [];
    private string _name = string.Empty;
    private string _connectionString = string.Empty;

    private static CancellationToken Ct => CancellationToken.None;

    public async Task InitializeAsync() => (_name, _connectionString) = await fixture.CreateMigratedDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (Node node in _nodes)
        {
            await node.StopAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await fixture.Server.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task TwoNodes_RacingSendsUnderTwoHundredPerHour_LeaseSlicesAndAdmitExactlyTwoHundred()
    {
        Node a = StartNode();
        Node b = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("200/1h", DurationFormat.OneYear);

        LimitRefusal?[] first = await StoreComplianceTests.RunConcurrentlyAsync(100, i => SendAsync(i % 2 == 0 ? a : b, application, Number(i), T0.AddMilliseconds(i), limit));

        Assert.All(first, Assert.Null);
        Assert.Equal(2L, await ScalarAsync("SELECT count(DISTINCT holder) FROM limit_leases WHERE key = @key AND granted > 0", Key(application)));
        Assert.InRange(await InWindowAsync(application), 100, 200);

        LimitRefusal?[] second = await StoreComplianceTests.RunConcurrentlyAsync(500, i => SendAsync(i % 2 == 0 ? a : b, application, Number(100 + i), T0.AddSeconds(1).AddMilliseconds(i), limit));

        Assert.Equal(100, second.Count(r => r is null));
        Assert.All(second.OfType<LimitRefusal>(), r =>
        {
            Assert.Equal("sendPinPerApplicationLimit", r.Check.Setting);
            Assert.InRange(r.RetryAfter, TimeSpan.FromSeconds(3598), TimeSpan.FromHours(1));
        });
        Assert.Equal(200L, await ScalarAsync("SELECT count(*) FROM pins WHERE application_id = @key", application));
        Assert.Equal(200L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
        Assert.Equal(200L, await InWindowAsync(application));
    }

    [Fact]
    public async Task ANodeStoppedHoldingALease_ItsSlotsNeitherAdmitMoreNorHoldBackTheLastSends()
    {
        Node dead = StartNode();
        Node alive = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("40/1h", DurationFormat.OneYear);
        Assert.Null(await SendAsync(dead, application, Number(0), T0, limit));
        await dead.DieAsync();
        Assert.Equal(9L, await ScalarAsync("SELECT sum(slots) FROM limit_leases WHERE key = @key", Key(application)));

        LimitRefusal?[] results = await StoreComplianceTests.RunConcurrentlyAsync(60, i => SendAsync(alive, application, Number(1 + i), T0.AddMilliseconds(10 + i), limit));

        Assert.Equal(39, results.Count(r => r is null));
        Assert.Equal(40L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
        Assert.Equal(40L, await InWindowAsync(application));
    }

    [Fact]
    public async Task ANodeStoppedHoldingALease_ItsSlotsCountUntilTheLeaseEndsThenAGrantOrThePruneReturnsThem()
    {
        Node dead = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("40/1h", DurationFormat.OneYear);
        Assert.Null(await SendAsync(dead, application, Number(0), T0, limit));
        long deadLease = await ScalarAsync("SELECT min(id) FROM limit_leases WHERE key = @key", Key(application));
        await dead.DieAsync();
        Node alive = StartNode();
        var retention = new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30));
        DateTimeOffset end = T0 + PostgresStoreOptions.DefaultSendLimitLease;

        await alive.Store.Maintenance.PruneAsync(end.AddMilliseconds(-1), retention, Ct);

        Assert.Equal(9L, await ScalarAsync("SELECT sum(slots) FROM limit_leases WHERE key = @key", Key(application)));
        Assert.Equal(10L, await InWindowAsync(application));

        // The next grant on the key, for sends after the lease ended, returns it.
        Assert.Null(await SendAsync(alive, application, Number(1), end.AddSeconds(1), limit));

        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM limit_leases WHERE id = @key::bigint", deadLease.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM limit_leases WHERE key = @key", Key(application)));

        // So does the prune, for any lease that has ended.
        await alive.Store.Maintenance.PruneAsync(end.AddSeconds(1) + PostgresStoreOptions.DefaultSendLimitLease, retention, Ct);

        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM limit_leases WHERE key = @key", Key(application)));
        Assert.Equal(2L, await InWindowAsync(application));
    }

    [Fact]
    public async Task ALimitReducedWhileALeaseIsOut_IsNotExceeded()
    {
        Node a = StartNode();
        Node b = StartNode();
        string application = Ids.New();
        RateLimit before = RateLimit.Parse("1000/1h", DurationFormat.OneYear);
        for (int i = 0; i < 5; i++)
        {
            Assert.Null(await SendAsync(a, application, Number(i), T0.AddMilliseconds(i), before));
        }

        Assert.Equal(11L, await ScalarAsync("SELECT sum(slots) FROM limit_leases WHERE key = @key", Key(application)));
        RateLimit after = RateLimit.Parse("8/1h", DurationFormat.OneYear);

        LimitRefusal?[] results = await StoreComplianceTests.RunConcurrentlyAsync(40, i => SendAsync(i % 2 == 0 ? a : b, application, Number(10 + i), T0.AddSeconds(1).AddMilliseconds(i), after));

        Assert.Equal(3, results.Count(r => r is null));
        Assert.Equal(8L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
        Assert.Equal(8L, await InWindowAsync(application));
    }

    [Fact]
    public async Task ASendTheDatabaseRefuses_LosesNoSlotOfTheLease()
    {
        Node a = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("40/1h", DurationFormat.OneYear);
        PinRecord taken = NewPin(application, 5, T0) with { Destination = Number(0) };
        Assert.Null(await a.Store.Pins.IssuePinAsync(taken, null, Limits(application, taken.Destination, limit), T0, Ct));

        // The fourth send reuses the id of a PIN that exists: its batch rolls back and its sends run alone.
        PinRecord[] pins = Enumerable.Range(1, 8).Select(i => i == 4 ? taken : NewPin(application, 5, T0.AddMilliseconds(i)) with { Destination = Number(i) }).ToArray();
        Task<LimitRefusal?>[] sends = pins.Select(p => a.Store.Pins.IssuePinAsync(p, null, Limits(application, p.Destination, limit), p.CreatedAt, Ct)).ToArray();
        await Assert.ThrowsAsync<PostgresException>(() => sends[3]);
        Assert.All(await Task.WhenAll(sends.Where((_, i) => i != 3)), Assert.Null);

        LimitRefusal?[] rest = await StoreComplianceTests.RunConcurrentlyAsync(100, i => SendAsync(a, application, Number(10 + i), T0.AddSeconds(1).AddMilliseconds(i), limit));

        Assert.Equal(32, rest.Count(r => r is null));
        Assert.Equal(40L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
    }

    [Fact]
    public async Task ASendWhoseLeaseWasRevoked_IsDecidedAgain()
    {
        Node a = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("1000/1h", DurationFormat.OneYear);
        Assert.Null(await SendAsync(a, application, Number(0), T0, limit));
        long revoked = await ScalarAsync("SELECT min(id) FROM limit_leases WHERE key = @key", Key(application));
        await ExecuteAsync("DELETE FROM limit_leases");

        LimitRefusal?[] results = await StoreComplianceTests.RunConcurrentlyAsync(5, i => SendAsync(a, application, Number(1 + i), T0.AddMilliseconds(1 + i), limit));

        Assert.All(results, Assert.Null);
        Assert.Equal(6L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
        Assert.True(await ScalarAsync("SELECT min(id) FROM limit_leases WHERE key = @key", Key(application)) > revoked);
    }

    [Fact]
    public async Task ARefusal_WithAnotherNodesLeaseOutstanding_WaitsOnlyForTheEvents()
    {
        Node a = StartNode();
        Node b = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("20/1h", DurationFormat.OneYear);
        Assert.Null(await SendAsync(a, application, Number(0), T0, limit));
        Assert.Equal(4L, await ScalarAsync("SELECT sum(slots) FROM limit_leases WHERE key = @key", Key(application)));

        for (int i = 1; i < 20; i++)
        {
            Assert.Null(await SendAsync(b, application, Number(i), T0.AddMilliseconds(i), limit));
        }

        // Both within the lease that a had, which b's sends revoked at the limit: only events count.
        LimitRefusal? onB = await SendAsync(b, application, Number(20), T0.AddSeconds(1), limit);
        LimitRefusal? onA = await SendAsync(a, application, Number(21), T0.AddSeconds(1), limit);

        Assert.Equal(TimeSpan.FromSeconds(3599), onB?.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(3599), onA?.RetryAfter);
        Assert.Equal(20L, await ScalarAsync("SELECT count(*) FROM limit_events WHERE key = @key", Key(application)));
    }

    [Fact]
    public async Task AResend_CountsTheSlotsOthersLeased()
    {
        Node a = StartNode();
        Node b = StartNode();
        string application = Ids.New();
        RateLimit limit = RateLimit.Parse("16/1h", DurationFormat.OneYear);
        PinRecord pin = NewPin(application, 5, T0) with { Destination = Number(0) };
        Assert.Null(await a.Store.Pins.IssuePinAsync(pin, null, Limits(application, pin.Destination, limit), T0, Ct));
        Assert.Equal(3L, await ScalarAsync("SELECT sum(slots) FROM limit_leases WHERE key = @key", Key(application)));

        var resent = new List<ResendResult>();
        for (int i = 1; i <= 16; i++)
        {
            DateTimeOffset at = T0.AddMilliseconds(i);
            var resend = new ResendOperation("tenant-a", pin.Id, NewMessage(pin), Limits(application, pin.Destination, limit), at);
            resent.Add(await b.Store.Pins.ResendPinAsync(resend, Ct));
        }

        Assert.Equal(15, resent.Count(r => r is ResendResult.Resent));
        Assert.All(resent.Skip(15), r => Assert.IsType<ResendResult.Limited>(r));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM limit_leases WHERE key = @key", Key(application)));
        Assert.Equal(16L, await InWindowAsync(application));
    }

    private static LimitCheck[] Limits(string application, string destination, RateLimit perApplication) =>
    [
        LimitKeys.SendPerApplication(application, perApplication, perApplication.ToString()),
        LimitKeys.SendPerDestination(application, destination, PerDestination, "100/1d"),
    ];

    private static Task<LimitRefusal?> SendAsync(Node node, string application, string destination, DateTimeOffset now, RateLimit perApplication)
    {
        PinRecord pin = NewPin(application, 5, now) with { Destination = destination };
        return node.Store.Pins.IssuePinAsync(pin, NewMessage(pin), Limits(application, destination, perApplication), now, Ct);
    }

    private static string Key(string application) => $"send:{application}";

    private static string Number(int i) => $"4179{i:D7}";

    private Node StartNode()
    {
        var node = new Node(NpgsqlDataSource.Create(_connectionString));
        _nodes.Add(node);
        return node;
    }

    /// <summary>What every other node counts for the application in the hour after its first send: its events and the slots leased.</summary>
    private Task<long> InWindowAsync(string application) =>
        ScalarAsync(
            """
            SELECT (SELECT count(*) FROM limit_events WHERE key = @key AND at > '2026-03-01T11:00:00Z')
                 + (SELECT coalesce(sum(slots), 0) FROM limit_leases WHERE key = @key AND ends_at > '2026-03-01T11:00:00Z')
            """,
            Key(application));

    private async Task<long> ScalarAsync(string sql, string key)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("key", key);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>A node: a store on a connection pool of its own.</summary>
    private sealed class Node(NpgsqlDataSource dataSource)
    {
        private bool _stopped;

        public PostgresStore Store { get; } = new(dataSource);

        /// <summary>Stops as a node that dies does: its connections are gone before it could return its leases.</summary>
        public async Task DieAsync()
        {
            _stopped = true;
            await dataSource.DisposeAsync();
            await Store.DisposeAsync();
        }

        public async Task StopAsync()
        {
            if (!_stopped)
            {
                _stopped = true;
                await Store.DisposeAsync();
                await dataSource.DisposeAsync();
            }
        }
    }
}
