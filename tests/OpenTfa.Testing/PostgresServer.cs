using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace OpenTfa.Testing;

/// <summary>
/// A throwaway PostgreSQL server: a fresh cluster in a temporary folder, listening on a free
/// loopback port, stopped (only this one) and deleted on dispose. Use it as a collection fixture
/// (<c>ICollectionFixture&lt;PostgresServer&gt;</c>) or through <see cref="StartAsync"/>.
/// Durability is switched off (<c>fsync=off</c>): the data is thrown away anyway.
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly Lock _gate = new();
    private string? _folder;
    private string? _binaries;
    private NpgsqlDataSource? _admin;
    private bool _stopped;

    /// <summary>Connection string to the <c>postgres</c> database as the superuser <c>postgres</c>.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public int Port { get; private set; }

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new PostgresServer();
        try
        {
            await server.StartCoreAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    Task IAsyncLifetime.InitializeAsync() => StartCoreAsync(CancellationToken.None);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    /// <summary>Creates an empty database (or a copy of <paramref name="template"/>) and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null, string? template = null, CancellationToken cancellationToken = default)
    {
        name ??= "db_" + Guid.NewGuid().ToString("N");
        string sql = $"CREATE DATABASE {Identifier(name)}" + (template is null ? string.Empty : $" TEMPLATE {Identifier(template)}");
        await using NpgsqlCommand command = Admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database, ending any session still connected to it.</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using NpgsqlCommand command = Admin.CreateCommand($"DROP DATABASE IF EXISTS {Identifier(name)} WITH (FORCE)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (_admin is not null)
        {
            await _admin.DisposeAsync();
            _admin = null;
        }

        Stop();
    }

    private NpgsqlDataSource Admin => _admin ?? throw new InvalidOperationException("The PostgreSQL server is not started.");

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        _binaries = FindBinaries();
        _folder = Directory.CreateTempSubdirectory("opentfa-pg-").FullName;
        bool asRoot = Environment.IsPrivilegedProcess;
        if (asRoot)
        {
            // initdb and pg_ctl refuse to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", ["postgres:postgres", _folder], asPostgres: false, cancellationToken);
        }

        string data = Path.Combine(_folder, "data");
        await RunAsync(Path.Combine(_binaries, "initdb"),
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], asRoot, cancellationToken);

        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort.Next();
            try
            {
                await RunAsync(Path.Combine(_binaries, "pg_ctl"),
                [
                    "-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60", "start", "-o",
                    $"-c listen_addresses=127.0.0.1 -p {port} -k {_folder} -c fsync=off -c synchronous_commit=off " +
                    "-c full_page_writes=off -c max_connections=300",
                ], asRoot, cancellationToken);
                Port = port;
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely another process took the port between the probe and the start.
            }
        }

        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            IncludeErrorDetail = true,
        }.ConnectionString;
        _admin = NpgsqlDataSource.Create(ConnectionString);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        lock (_gate)
        {
            if (_stopped || _folder is null)
            {
                return;
            }

            _stopped = true;
            string data = Path.Combine(_folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                try
                {
                    RunAsync(Path.Combine(_binaries!, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"],
                        Environment.IsPrivilegedProcess, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    KillPostmaster(data);
                }
            }

            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless; the server itself is stopped.
            }
        }
    }

    /// <summary>Kills exactly the postmaster of this cluster, named by its own pid file.</summary>
    private static void KillPostmaster(string data)
    {
        string pidFile = Path.Combine(data, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The folder of PostgreSQL's programs (initdb, pg_ctl, pg_dump, pg_restore); fails saying how to install them.</summary>
    public static string FindBinaries()
    {
        var candidates = new List<string> { "/usr/lib/postgresql/15/bin" };
        string? fromConfig = TryRun("pg_config", "--bindir");
        if (!string.IsNullOrWhiteSpace(fromConfig))
        {
            candidates.Add(fromConfig.Trim());
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/<version>/bin or `pg_config --bindir`. " +
                "Run the repository's test script, ./test.sh, which installs PostgreSQL first (or install it with `apt-get install -y postgresql`). " +
                "Tests that need PostgreSQL are never skipped.");
    }

    private static string? TryRun(string file, string argument)
    {
        try
        {
            ProgramResult result = PeerProcess.RunAsync(new ProgramStart(file, [argument]), CommandTimeout).GetAwaiter().GetResult();
            return result.ExitCode == 0 ? result.Stdout : null;
        }
        catch (InvalidOperationException)
        {
            return null; // Not installed.
        }
    }

    private static Task<ProgramResult> RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres, CancellationToken cancellationToken) =>
        PeerProcess.RunCheckedAsync(
            asPostgres ? new ProgramStart("runuser", ["-u", "postgres", "--", file, .. arguments]) : new ProgramStart(file, arguments),
            CommandTimeout,
            cancellationToken);

    private static string Identifier(string name) =>
        IdentifierPattern().IsMatch(name) ? $"\"{name}\"" : throw new ArgumentException($"'{name}' is not a plain database name (a-z, 0-9, _).", nameof(name));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
