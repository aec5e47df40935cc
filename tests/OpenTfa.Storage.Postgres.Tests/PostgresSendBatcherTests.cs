using Npgsql;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using static OpenTfa.Storage.Postgres.Tests.Records;

namespace OpenTfa.Storage.Postgres.Tests;

/// <summary>The send group commit against a real, migrated database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSendBatcherTests(PostgresFixture fixture) : IAsyncLifetime
{
    private string _name = string.Empty;
    private NpgsqlDataSource? _dataSource;
    private PostgresSendBatcher? _batcher;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Created in InitializeAsync.");

    private PostgresSendBatcher Batcher => _batcher ?? throw new InvalidOperationException("Created in InitializeAsync.");

    public async Task InitializeAsync()
    {
        (_name, string connectionString) = await fixture.CreateMigratedDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _batcher = new PostgresSendBatcher(_dataSource);
    }

    public async Task DisposeAsync()
    {
        await Batcher.CloseAsync();
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await fixture.Server.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task Issue_ConcurrentSendsAgainstOneLimit_AdmitExactlyTheLimitAndTellEachRefusedCallerWhy()
    {
        string application = Ids.New();
        LimitCheck perApplication = LimitKeys.SendPerApplication(application, RateLimit.Parse("10/1d", DurationFormat.OneYear), "10/1d");

        LimitRefusal?[] outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
        {
            PinRecord pin = NewPin(application, 5, T0.AddMilliseconds(i));
            return Batcher.IssueAsync(pin, NewMessage(pin), [perApplication], pin.CreatedAt, CancellationToken.None);
        })));

        Assert.Equal(10, outcomes.Count(o => o is null));
        Assert.All(outcomes.OfType<LimitRefusal>(), refusal =>
        {
            Assert.Equal(perApplication, refusal.Check);
            Assert.True(refusal.RetryAfter > TimeSpan.Zero);
        });
        Assert.Equal(30, outcomes.Count(o => o is not null));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM pins WHERE application_id = @value", application));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM outbox_messages WHERE application_id = @value", application));
        Assert.Equal(10, await CountAsync("SELECT count(*) FROM limit_events WHERE key = @value", perApplication.Key));
    }

    [Fact]
    public async Task Issue_ASendTheDatabaseRefuses_FailsAloneAndTheOthersCommit()
    {
        string application = Ids.New();
        PinRecord taken = NewPin(application, 5, T0);
        Assert.Null(await Batcher.IssueAsync(taken, null, [], T0, CancellationToken.None));

        // The fourth send reuses the id of a PIN that exists.
        PinRecord[] pins = Enumerable.Range(0, 8).Select(i => i == 3 ? taken : NewPin(application, 5, T0.AddMilliseconds(i))).ToArray();
        Task<LimitRefusal?>[] sends = pins.Select(pin => Batcher.IssueAsync(pin, null, [], T0, CancellationToken.None)).ToArray();

        PostgresException refused = await Assert.ThrowsAsync<PostgresException>(() => sends[3]);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
        LimitRefusal?[] others = await Task.WhenAll(sends.Where((_, i) => i != 3));
        Assert.All(others, Assert.Null);
        Assert.Equal(8, await CountAsync("SELECT count(*) FROM pins WHERE application_id = @value", application));
    }

    [Fact]
    public async Task Close_LetsQueuedSendsCommitThenRefusesNewOnes()
    {
        string application = Ids.New();
        Task<LimitRefusal?>[] queued = Enumerable.Range(0, 5)
            .Select(i => Batcher.IssueAsync(NewPin(application, 5, T0.AddMilliseconds(i)), null, [], T0, CancellationToken.None)).ToArray();

        await Batcher.CloseAsync();

        Assert.All(await Task.WhenAll(queued), Assert.Null);
        Assert.Throws<ObjectDisposedException>(() => { _ = Batcher.IssueAsync(NewPin(application, 5, T0), null, [], T0, CancellationToken.None); });
        Assert.Equal(5, await CountAsync("SELECT count(*) FROM pins WHERE application_id = @value", application));
    }

    private async Task<long> CountAsync(string sql, string value)
    {
        await using NpgsqlConnection connection = await DataSource.OpenConnectionAsync();
        await using NpgsqlCommand command = connection.Command(sql).Text("value", value);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
