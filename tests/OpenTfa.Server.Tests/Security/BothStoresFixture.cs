using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using OpenTfa.Testing;

namespace OpenTfa.Server.Tests.Security;

/// <summary>
/// The real server twice, once on SQLite and once on a throwaway PostgreSQL server, each with
/// its error log captured, so that one hostile request can be checked against both stores.
/// </summary>
public sealed class BothStoresFixture : IAsyncLifetime
{
    private PostgresServer? _postgres;

    public TestServer Sqlite { get; private set; } = null!;

    public TestServer Postgres { get; private set; } = null!;

    public CapturedLog SqliteLog { get; } = new();

    public CapturedLog PostgresLog { get; } = new();

    public TestServer Server(string store) => store == "postgres" ? Postgres : Sqlite;

    public CapturedLog Log(string store) => store == "postgres" ? PostgresLog : SqliteLog;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        string database = await _postgres.CreateDatabaseAsync();
        Sqlite = await TestServer.StartAsync(services: s => s.AddSingleton<ILoggerProvider>(SqliteLog));
        Postgres = await TestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["OpenTfa:Storage:Provider"] = "postgres",
                ["OpenTfa:Storage:ConnectionString"] = database,
                ["OpenTfa:Encryption:Key"] = $"k1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            },
            services: s => s.AddSingleton<ILoggerProvider>(PostgresLog));
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

/// <summary>Every log entry at Error or above, with its category and text.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyList<string> Errors => _errors.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _errors);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
