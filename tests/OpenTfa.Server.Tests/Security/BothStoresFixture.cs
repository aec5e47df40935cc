using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// The real server twice, once on SQLite and once on a throwaway PostgreSQL server, each with
/// its log captured, so that one hostile request can be checked against both stores.
/// </summary>
public sealed class BothStoresFixture : IAsyncLifetime
{
    private PostgresServer? _postgres;

    public TestServer Sqlite { get; private set; } = null!;

    public TestServer Postgres { get; private set; } = null!;

    public TestServer Server(string store) => store == "postgres" ? Postgres : Sqlite;

    public CapturedLogs Log(string store) => Server(store).Logs;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        Sqlite = await TestServer.StartAsync();
        Postgres = await TestServer.StartAsync(postgres: _postgres);
    }

    public async Task DisposeAsync()
    {
        if (Sqlite is not null)
        {
            await Sqlite.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}
