using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <summary>A connection that keeps one prepared command per SQL text for reuse.</summary>
internal sealed class CachingConnection(string connectionString) : SqliteConnection(connectionString)
{
    private const int MaxCachedCommands = 256;
    private readonly Dictionary<string, ReusableCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>A statement of the current transaction named a table whose rows <see cref="ConfigCache"/> holds.</summary>
    public bool ConfigTouched { get; set; }

    /// <summary>The PINs held in memory, on the writer's connection only.</summary>
    public HotPins? HotPins { get; set; }

    /// <summary>The cached command for <paramref name="sql"/>, or a new one when that is in use (or the cache is full).</summary>
    public SqliteCommand Rent(string sql)
    {
        if (_commands.TryGetValue(sql, out ReusableCommand? cached))
        {
            if (cached.InUse)
            {
                return new SqliteCommand(sql, this);
            }

            cached.InUse = true;
            return cached;
        }

        if (_commands.Count >= MaxCachedCommands)
        {
            return new SqliteCommand(sql, this);
        }

        var command = new ReusableCommand(sql, this) { InUse = true };
        _commands[sql] = command;
        return command;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (ReusableCommand command in _commands.Values)
            {
                command.Release();
            }

            _commands.Clear();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Disposing it hands it back to its connection, prepared statement and parameters kept.</summary>
internal sealed class ReusableCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
{
    private bool _released;

    public bool InUse { get; set; }

    public void Release()
    {
        _released = true;
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            Transaction = null;
            InUse = false;
            return;
        }

        base.Dispose(disposing);
    }
}
