using Microsoft.Data.Sqlite;

namespace OpenTfa.Storage.Sqlite;

/// <summary>Small helpers for plain, parameterized SQL on the store's connections.</summary>
internal static class SqliteSql
{
    /// <summary>
    /// A command for <paramref name="sql"/>: the connection's prepared one when it keeps them.
    /// A statement of the writer's transaction that names a cached table marks the connection,
    /// so that the cache retires its rows once the transaction ends; one that changes PINs other
    /// than as <see cref="HotPins"/> follows retires the PINs held at once.
    /// </summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        SqliteCommand command;
        if (connection is CachingConnection caching)
        {
            command = caching.Rent(sql);
        }
        else
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }

        command.Transaction = transaction;
        if (transaction is not null && connection is CachingConnection writer)
        {
            if (!writer.ConfigTouched && ConfigCache.Touches(sql))
            {
                writer.ConfigTouched = true;
            }

            if (writer.HotPins is { } hot && HotPins.Retires(sql))
            {
                hot.Clear();
            }
        }

        SqliteParameterCollection bound = command.Parameters;
        bool same = bound.Count == parameters.Length;
        for (int i = 0; same && i < parameters.Length; i++)
        {
            same = string.Equals(bound[i].ParameterName, parameters[i].Name, StringComparison.Ordinal);
        }

        if (same)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                bound[i].Value = parameters[i].Value ?? DBNull.Value;
            }
        }
        else
        {
            bound.Clear();
            foreach ((string name, object? value) in parameters)
            {
                bound.AddWithValue(name, value ?? DBNull.Value);
            }
        }

        return command;
    }

    public static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using SqliteCommand command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<List<T>> QueryAsync<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, Func<SqliteDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using SqliteCommand command = Command(connection, transaction, sql, parameters);
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(map(reader));
        }

        return list;
    }

    public static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(SqliteDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    public static string? OptionalString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? OptionalInt(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
