using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace OpenTfa.Storage.Postgres;

/// <summary>Small helpers for plain, parameterized SQL.</summary>
internal static class Sql
{
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null) =>
        new(sql, connection, transaction);

    public static NpgsqlCommand Text(this NpgsqlCommand command, string name, string? value) =>
        command.With(name, NpgsqlDbType.Text, value);

    public static NpgsqlCommand Texts(this NpgsqlCommand command, string name, IReadOnlyList<string> values) =>
        command.With(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values.ToArray());

    public static NpgsqlCommand Time(this NpgsqlCommand command, string name, DateTimeOffset? value) =>
        command.With(name, NpgsqlDbType.TimestampTz, value?.UtcDateTime);

    public static NpgsqlCommand Times(this NpgsqlCommand command, string name, IEnumerable<DateTimeOffset> values) =>
        command.With(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, values.Select(v => v.UtcDateTime).ToArray());

    public static NpgsqlCommand Int(this NpgsqlCommand command, string name, int value) =>
        command.With(name, NpgsqlDbType.Integer, value);

    public static NpgsqlCommand Long(this NpgsqlCommand command, string name, long? value) =>
        command.With(name, NpgsqlDbType.Bigint, value);

    public static NpgsqlCommand Double(this NpgsqlCommand command, string name, double? value) =>
        command.With(name, NpgsqlDbType.Double, value);

    public static NpgsqlCommand Bool(this NpgsqlCommand command, string name, bool? value) =>
        command.With(name, NpgsqlDbType.Boolean, value);

    public static NpgsqlCommand Bytes(this NpgsqlCommand command, string name, byte[]? value) =>
        command.With(name, NpgsqlDbType.Bytea, value);

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    public static DateTimeOffset? GetTimeOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static string? GetStringOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static T GetEnum<T>(this NpgsqlDataReader reader, int ordinal)
        where T : struct, Enum =>
        Enum.Parse<T>(reader.GetString(ordinal));

    public static string Name<T>(T value)
        where T : struct, Enum =>
        value.ToString();

    /// <summary>
    /// A 64-bit advisory-lock key for a name. Taken from SHA-256 rather than <c>hashtext</c>,
    /// so that two different names practically never share a lock, and so that callers can
    /// sort lock keys before taking several (a fixed order cannot deadlock).
    /// </summary>
    public static long LockKey(string space, string name) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"opentfa:{space}:{name}")));

    public static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(read(reader));
        }

        return list;
    }

    public static async Task<T?> ReadOneAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        where T : class
    {
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? read(reader) : null;
    }

    /// <summary>Takes the advisory lock <paramref name="key"/> until <paramref name="transaction"/> ends.</summary>
    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using NpgsqlCommand command = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).Long("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlCommand With(this NpgsqlCommand command, string name, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }

    // The same helpers for the statements of a batch (several statements, one round trip).

    public static NpgsqlBatchCommand Text(this NpgsqlBatchCommand command, string name, string? value) =>
        command.With(name, NpgsqlDbType.Text, value);

    public static NpgsqlBatchCommand Texts(this NpgsqlBatchCommand command, string name, IReadOnlyList<string> values) =>
        command.With(name, NpgsqlDbType.Array | NpgsqlDbType.Text, values.ToArray());

    public static NpgsqlBatchCommand Time(this NpgsqlBatchCommand command, string name, DateTimeOffset? value) =>
        command.With(name, NpgsqlDbType.TimestampTz, value?.UtcDateTime);

    public static NpgsqlBatchCommand Times(this NpgsqlBatchCommand command, string name, IEnumerable<DateTimeOffset> values) =>
        command.With(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, values.Select(v => v.UtcDateTime).ToArray());

    public static NpgsqlBatchCommand Long(this NpgsqlBatchCommand command, string name, long? value) =>
        command.With(name, NpgsqlDbType.Bigint, value);

    public static NpgsqlBatchCommand Int(this NpgsqlBatchCommand command, string name, int value) =>
        command.With(name, NpgsqlDbType.Integer, value);

    public static NpgsqlBatchCommand Bool(this NpgsqlBatchCommand command, string name, bool? value) =>
        command.With(name, NpgsqlDbType.Boolean, value);

    public static NpgsqlBatchCommand Bytes(this NpgsqlBatchCommand command, string name, byte[]? value) =>
        command.With(name, NpgsqlDbType.Bytea, value);

    private static NpgsqlBatchCommand With(this NpgsqlBatchCommand command, string name, NpgsqlDbType type, object? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value ?? DBNull.Value });
        return command;
    }
}
