using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <summary>Opens connections to the store's file, each with the pragmas every connection needs.</summary>
internal sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly string _pragmas;

    public SqliteConnectionFactory(SqliteStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxSizeBytes = options.MaxSizeMegabytes * 1024L * 1024L;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        // No memory map: the benchmark measured the same throughput without one, and a mapped
        // file's pages count as the process's resident memory as the database grows. Each
        // connection keeps a small page cache; the operating system caches the file.
        _pragmas = $"PRAGMA busy_timeout=30000; PRAGMA synchronous={(options.FullSync ? "FULL" : "NORMAL")}; PRAGMA cache_size=-2048;";
    }

    /// <summary>The size cap in bytes; 0 for none.</summary>
    public long MaxSizeBytes { get; }

    public string DataSource => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    public string DatabasePath => Path.GetFullPath(DataSource);

    /// <summary>A connection that keeps its prepared statements, for the store's lifetime.</summary>
    public CachingConnection Open()
    {
        var connection = new CachingConnection(_connectionString);
        try
        {
            connection.Open();
            ApplyPragmas(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A plain connection, for work done once (the start-up).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        ApplyPragmas(connection);
        return connection;
    }

    /// <summary>The pragmas every connection needs; the size cap is per connection in SQLite, so each one sets it.</summary>
    private void ApplyPragmas(SqliteConnection connection)
    {
        using SqliteCommand pragma = connection.CreateCommand();
        pragma.CommandText = _pragmas;
        pragma.ExecuteNonQuery();
        if (MaxSizeBytes > 0)
        {
            pragma.CommandText = "PRAGMA page_size";
            long pageSize = (long)pragma.ExecuteScalar()!;
            pragma.CommandText = $"PRAGMA max_page_count = {Math.Max(1, MaxSizeBytes / pageSize)}";
            pragma.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// The database and its WAL and shared-memory files are readable by their owner only. SQLite
    /// gives the -wal and -shm files the database file's mode, so creating that file 0600 (an empty
    /// file is an empty database) covers the files SQLite makes later; existing ones are tightened.
    /// </summary>
    public void MakePrivate()
    {
        string databasePath = DataSource;
        if (OperatingSystem.IsWindows() || databasePath is ":memory:" or "")
        {
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(databasePath))
        {
            using FileStream created = new(databasePath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private });
        }

        foreach (string file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, Private);
        }
    }
}
