using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Core.Storage;
using OpenTfa.Storage.Compliance;
using OpenTfa.Testing;
using static OpenTfa.Storage.Postgres.Tests.Records;

namespace OpenTfa.Storage.Postgres.Tests;

/// <summary>What only PostgreSQL adds: migrations shared by several nodes, and several nodes on one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture fixture)
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task Initialize_RunTwice_AppliesEachMigrationOnce()
    {
        (string name, string connectionString) = await fixture.CreateEmptyDatabaseAsync();
        try
        {
            await using (var store = new PostgresStore(connectionString))
            {
                await store.Maintenance.InitializeAsync(Ct);
                await store.Maintenance.InitializeAsync(Ct);
            }

            Assert.Equal(PostgresSchema.Migrations.Select(m => m.Version), await SchemaVersionsAsync(connectionString));
        }
        finally
        {
            await fixture.Server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task Initialize_ThreeNodesAtOnce_MigrateOnceAndAllWork()
    {
        (string name, string connectionString) = await fixture.CreateEmptyDatabaseAsync();
        PostgresStore[] nodes = [new(connectionString), new(connectionString), new(connectionString)];
        try
        {
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task[] starts = nodes.Select(node => Task.Run(async () =>
            {
                await gate.Task;
                await node.Maintenance.InitializeAsync(Ct);
            })).ToArray();
            gate.SetResult();
            await Task.WhenAll(starts);

            Assert.Equal(PostgresSchema.Migrations.Select(m => m.Version), await SchemaVersionsAsync(connectionString));
            for (int i = 0; i < nodes.Length; i++)
            {
                Assert.True(await nodes[i].Tenants.CreateTenantAsync(new Core.Tenancy.Tenant($"tenant-{i}", "T", T0), Ct));
                Assert.True((await nodes[i].Maintenance.CheckHealthAsync(Ct)).Healthy);
            }

            Assert.Equal(3, (await nodes[0].Tenants.ListTenantsAsync(Ct)).Count);
        }
        finally
        {
            foreach (PostgresStore node in nodes)
            {
                await node.DisposeAsync();
            }

            await fixture.Server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task Initialize_OnADatabaseMigratedByANewerNode_LeavesItAsItIs()
    {
        (string name, string connectionString) = await fixture.CreateMigratedDatabaseAsync();
        try
        {
            await ExecuteAsync(connectionString, "INSERT INTO schema_version (version, description) VALUES (9999, 'from a newer node')");
            await using var store = new PostgresStore(connectionString);

            await store.Maintenance.InitializeAsync(Ct);

            Assert.Equal(PostgresSchema.Migrations.Select(m => m.Version).Append(9999), await SchemaVersionsAsync(connectionString));
        }
        finally
        {
            await fixture.Server.DropDatabaseAsync(name);
        }
    }

    [Fact]
    public async Task TwoNodes_100ConcurrentSends_UnderThreePerDay_AcceptExactlyThree()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        string application = Ids.New();
        LimitCheck[] limits =
        [
            LimitKeys.SendPerApplication(application, RateLimit.Parse("10000/1d", DurationFormat.OneYear), "10000/1d"),
            LimitKeys.SendPerDestination(application, "41793026727", RateLimit.Parse("3/1d", DurationFormat.OneYear), "3/1d"),
        ];

        LimitRefusal?[] results = await StoreComplianceTests.RunConcurrentlyAsync(100, i =>
        {
            PinRecord pin = NewPin(application, 5, T0.AddMilliseconds(i));
            return nodes[i % 2].Pins.IssuePinAsync(pin, null, limits, pin.CreatedAt, Ct);
        });

        Assert.Equal(3, results.Count(r => r is null));
        Assert.Equal(3, (await nodes[0].Pins.ListVerificationsAsync(new VerificationQuery("tenant-a", application, "41793026727", null, null), Ct)).Count);
    }

    [Fact]
    public async Task TwoNodes_200ConcurrentWrongVerifies_TakeExactlyTheFiveAttempts_WaitingWithoutConnections()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        PinRecord pin = NewPin(Ids.New(), 5, T0);
        Assert.Null(await nodes[0].Pins.IssuePinAsync(pin, null, [], T0, Ct));
        LimitCheck verifyLimit = LimitKeys.VerifyPerDestination(pin.ApplicationId, pin.Destination, RateLimit.Parse("1000/1d", TimeSpan.FromDays(1)), "1000/1d");

        VerifyResult[] results = await StoreComplianceTests.RunConcurrentlyAsync(200, i =>
            nodes[i % 2].Pins.VerifyPinAsync(new VerifyOperation("tenant-a", pin.Id, T0.AddMilliseconds(i + 1), (_, _) => ValueTask.FromResult(Result<VerifyTerms>.Ok(new VerifyTerms(false, true, verifyLimit)))), Ct));

        VerifyDecision[] decisions = results.Select(r => Assert.IsType<VerifyResult.Decided>(r).Decision).ToArray();
        Assert.Equal(5, decisions.Count(d => d.Error == PinError.WrongPin));
        Assert.Equal(195, decisions.Count(d => d.Error == PinError.NoMorePinAttempts));

        // Each node's pool holds what it opened: the racers took their turns one at a time on each
        // node instead of opening a connection each to wait for the PIN's lock.
        string database = new NpgsqlConnectionStringBuilder(nodes.ConnectionString).Database!;
        long opened = (long)(await ScalarAsync(fixture.Server.ConnectionString, $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"))!;
        Assert.InRange(opened, 1, 4);
    }

    [Fact]
    public async Task TwoNodes_ConcurrentClaims_ClaimEachMessageExactlyOnce()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        for (int i = 0; i < 60; i++)
        {
            PinRecord pin = NewPin(Ids.New(), 5, T0.AddMilliseconds(i));
            Assert.Null(await nodes[0].Pins.IssuePinAsync(pin, NewMessage(pin), [], pin.CreatedAt, Ct));
        }

        List<string>[] claimed = await StoreComplianceTests.RunConcurrentlyAsync(6, async claimer =>
        {
            var mine = new List<string>();
            IReadOnlyList<OutboxMessage> batch;
            while ((batch = await nodes[claimer % 2].Outbox.ClaimDueAsync($"node-{claimer}", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 4, Ct)).Count > 0)
            {
                mine.AddRange(batch.Select(m => m.Id));
            }

            return mine;
        });

        string[] all = claimed.SelectMany(c => c).ToArray();
        Assert.Equal(60, all.Length);
        Assert.Equal(60, all.Distinct().Count());
    }

    [Fact]
    public async Task Prune_MoreRowsThanOneBatch_PrunesThemAll()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        int count = (PostgresStore.PruneBatchSize * 2) + 34;
        await ExecuteAsync(nodes.ConnectionString, $"""
            INSERT INTO pins (id, tenant_id, application_id, template_id, kind, destination, pin_key_id, pin_data, created_at,
                expires_at, attempts_remaining, sent, consumed)
            SELECT 'P' || g, 'tenant-a', 'app', 'tpl', 'Sms', '41793026727', 'k', '\x00', '2026-03-01T12:00:00Z',
                '2026-03-01T12:05:00Z', 3, true, false
            FROM generate_series(1, {count}) g;
            INSERT INTO limit_events (key, at, expires_at)
            SELECT 'send:app', '2026-03-01T12:00:00Z', '2026-03-01T13:00:00Z' FROM generate_series(1, {count}) g;
            """);

        PruneCounts sealedOnly = await nodes[0].Maintenance.PruneAsync(T0.AddDays(2), new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30)), Ct);
        PruneCounts deleted = await nodes[0].Maintenance.PruneAsync(T0.AddDays(31), new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30)), Ct);

        Assert.Equal(new PruneCounts(count, 0, 0, count), sealedOnly);
        Assert.Equal(new PruneCounts(0, count, 0, 0), deleted);
    }

    [Fact]
    public async Task Prune_SealedPin_KeepsNoSecretAndFailsItsUndeliveredMessage()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        PinRecord pin = NewPin(Ids.New(), 5, T0);
        OutboxMessage message = NewMessage(pin);
        Assert.Null(await nodes[0].Pins.IssuePinAsync(pin, message, [], T0, Ct));

        await nodes[0].Maintenance.PruneAsync(T0.AddDays(2), new RetentionPolicy(TimeSpan.FromHours(24), TimeSpan.FromDays(30)), Ct);

        Assert.Equal(0L, await ScalarAsync(nodes.ConnectionString, "SELECT count(*) FROM pins WHERE pin_data IS NOT NULL OR placeholders_json IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync(nodes.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE body_data IS NOT NULL"));
        MessageStatus status = (await nodes[0].Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Failed, status.State);
        Assert.Empty(await nodes[0].Outbox.ClaimDueAsync("node-1", T0.AddDays(2), TimeSpan.FromMinutes(1), 10, Ct));
    }

    [Fact]
    public async Task SubmittedOrFailedMessages_KeepNoBody()
    {
        await using Nodes nodes = await Nodes.StartAsync(fixture);
        OutboxMessage[] messages = new OutboxMessage[2];
        for (int i = 0; i < messages.Length; i++)
        {
            PinRecord pin = NewPin(Ids.New(), 5, T0);
            messages[i] = NewMessage(pin);
            Assert.Null(await nodes[0].Pins.IssuePinAsync(pin, messages[i], [], T0, Ct));
        }

        await nodes[0].Outbox.ClaimDueAsync("node-1", T0, TimeSpan.FromMinutes(1), 10, Ct);
        await nodes[0].Outbox.MarkSubmittedAsync(messages[0].Id, "node-1", "smpp-a", "c-1", T0.AddSeconds(1), Ct);
        await nodes[0].Outbox.MarkFailedAsync(messages[1].Id, "node-1", "smpp-a", "refused", T0.AddSeconds(1), Ct);

        Assert.Equal(0L, await ScalarAsync(nodes.ConnectionString, "SELECT count(*) FROM outbox_messages WHERE body_data IS NOT NULL OR body_key_id IS NOT NULL"));
    }

    [Fact]
    public async Task CheckHealth_WithTheServerUnreachable_IsUnavailableAndSaysSo()
    {
        string unreachable = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { Port = FreePort.Next(), Timeout = 1 }.ConnectionString;
        await using var store = new PostgresStore(unreachable);

        StoreHealth health = await store.Maintenance.CheckHealthAsync(Ct);

        Assert.False(health.Healthy);
        Assert.Contains("PostgreSQL", health.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenTfaPostgresStore_RegistersOneStore_AndEachRoleAsItsProperty()
    {
        var services = new ServiceCollection();

        services.AddOpenTfaPostgresStore(fixture.Server.ConnectionString);

        using var provider = new MinimalProvider(services);
        PostgresStore store = provider.GetRequiredService<PostgresStore>();
        (Type Role, object Property)[] roles =
        [
            (typeof(ITenantStore), store.Tenants), (typeof(IApplicationStore), store.Applications), (typeof(IEmailBodyStore), store.EmailBodies),
            (typeof(IIdempotencyStore), store.Idempotency), (typeof(IProtectionStore), store.Protection), (typeof(IPinStore), store.Pins),
            (typeof(IOutboxStore), store.Outbox), (typeof(IStoreMaintenance), store.Maintenance), (typeof(IWebhookStore), store.Webhooks),
            (typeof(IAuditStore), store.Audit), (typeof(IAnalyticsStore), store.Analytics), (typeof(ITwilioStore), store.Twilio), (typeof(IWorkflowStore), store.Workflows),
        ];
        Assert.All(roles, r => Assert.Same(r.Property, provider.GetRequiredService(r.Role)));
        Assert.Equal(roles.Length + 1, services.Count);
        Assert.All(services, d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    private static async Task<List<int>> SchemaVersionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(Ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(Ct))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }

    /// <summary>Two stores (two "nodes", two connection pools) on one fresh database.</summary>
    private sealed class Nodes : IAsyncDisposable
    {
        private readonly PostgresFixture _fixture;
        private readonly string _name;
        private readonly PostgresStore[] _stores;

        private Nodes(PostgresFixture fixture, string name, string connectionString)
        {
            _fixture = fixture;
            _name = name;
            ConnectionString = connectionString;
            _stores = [new PostgresStore(connectionString), new PostgresStore(connectionString)];
        }

        public string ConnectionString { get; }

        public PostgresStore this[int index] => _stores[index];

        public static async Task<Nodes> StartAsync(PostgresFixture fixture)
        {
            (string name, string connectionString) = await fixture.CreateMigratedDatabaseAsync();
            var nodes = new Nodes(fixture, name, connectionString);
            foreach (PostgresStore store in nodes._stores)
            {
                await store.Maintenance.InitializeAsync(Ct);
            }

            return nodes;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (PostgresStore store in _stores)
            {
                await store.DisposeAsync();
            }

            await _fixture.Server.DropDatabaseAsync(_name);
        }
    }

    /// <summary>Just enough of a container to resolve singleton registrations made through factories.</summary>
    private sealed class MinimalProvider(IServiceCollection services) : IServiceProvider, IDisposable
    {
        private readonly Dictionary<Type, object> _singletons = [];

        public object? GetService(Type serviceType)
        {
            if (_singletons.TryGetValue(serviceType, out object? existing))
            {
                return existing;
            }

            ServiceDescriptor? descriptor = services.LastOrDefault(d => d.ServiceType == serviceType);
            if (descriptor?.ImplementationFactory is null)
            {
                return null;
            }

            object created = descriptor.ImplementationFactory(this);
            _singletons[serviceType] = created;
            return created;
        }

        public void Dispose()
        {
            foreach (IDisposable disposable in _singletons.Values.OfType<IDisposable>().Distinct())
            {
                disposable.Dispose();
            }
        }
    }
}
