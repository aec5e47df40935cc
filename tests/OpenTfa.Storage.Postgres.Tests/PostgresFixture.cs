using OpenTfa.Storage.Compliance;
using OpenTfa.Testing;

namespace OpenTfa.Storage.Postgres.Tests;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

/// <summary>
/// One throwaway PostgreSQL server for the collection, and a migrated template database so that
/// each test gets a fresh, initialized database in one <c>CREATE DATABASE … TEMPLATE</c>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string TemplateName = "opentfa_template";
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The fixture is not started.");

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        string template = await _server.CreateDatabaseAsync(TemplateName);
        await using var store = new PostgresStore(Pooled(template, pooling: false));
        await store.Maintenance.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A fresh database with the current schema; dropped when the returned name's owner cleans up.</summary>
    public async Task<(string Name, string ConnectionString)> CreateMigratedDatabaseAsync()
    {
        string name = "t_" + Guid.NewGuid().ToString("N");
        return (name, await Server.CreateDatabaseAsync(name, TemplateName));
    }

    /// <summary>A fresh, empty database (no schema yet).</summary>
    public async Task<(string Name, string ConnectionString)> CreateEmptyDatabaseAsync()
    {
        string name = "e_" + Guid.NewGuid().ToString("N");
        return (name, await Server.CreateDatabaseAsync(name));
    }

    public async Task<StoreUnderTest> CreateStoreAsync()
    {
        (string name, string connectionString) = await CreateMigratedDatabaseAsync();
        var store = new PostgresStore(connectionString);
        await store.Maintenance.InitializeAsync(CancellationToken.None);
        return StoreUnderTest.Create(store, () => new ValueTask(Server.DropDatabaseAsync(name)));
    }

    private static string Pooled(string connectionString, bool pooling) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Pooling = pooling }.ConnectionString;
}
