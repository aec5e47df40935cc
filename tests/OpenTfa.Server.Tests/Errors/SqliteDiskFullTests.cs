using System.Net;
using Microsoft.Data.Sqlite;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Errors;

/// <summary>
/// SQLite with no room left (SQLITE_FULL, here from the database's size limit, which fails writes
/// exactly as a full disk does): sends answer 503 with <c>Retry-After</c>, the log names the full
/// disk and the database's path, readiness answers 503 while it lasts, and everything works again
/// once room is freed.
/// </summary>
public sealed class SqliteDiskFullTests
{
    private const int MaxSizeMegabytes = 2;

    [Fact]
    public async Task DiskFull_FailsSendsWith503_NamesItInTheLog_AndReadinessFollowsItUntilRoomIsFreed()
    {
        await using TestServer server = await TestServer.StartAsync(
            new Dictionary<string, string?> { ["OpenTfa:Storage:SqliteMaxSizeMegabytes"] = MaxSizeMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        CapturedLogs log = server.Logs;
        using HttpClient client = server.Client();
        using HttpClient anonymous = server.Client(key: null);
        (string app, string template) = await client.CreateAppAndTemplateAsync();
        await client.SendPinOkAsync(app, template, "41793000300");
        string database = Path.Combine(server.DataDirectory, "opentfa.db");

        await using (SqliteConnection filler = await OpenAsync(database))
        {
            await FillAsync(filler);
            Reply refused = await SendUntilRefusedAsync(client, app, template);
            using HttpResponseMessage notReady = await anonymous.GetAsync("/health/ready");
            Reply details = await client.GetJsonAsync("/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.Equal("GENERAL_ERROR", refused.ErrorMessageId);
            Assert.True(refused.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, refused.ToString());
            Assert.Contains(log.Errors, e => e.Contains("disk full", StringComparison.Ordinal) && e.Contains(database, StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.NotNull(notReady.Headers.RetryAfter?.Delta);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, details.Status);
            Assert.Contains("disk full", details.Json["details"]!["store:problem"]!.GetValue<string>(), StringComparison.Ordinal);

            await ExecuteAsync(filler, "DROP TABLE filler");
        }

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendPinAsync(app, template, "41793000399")).Status);
    }

    private static async Task<SqliteConnection> OpenAsync(string database)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        await connection.OpenAsync();
        long pageSize = (long)(await ScalarAsync(connection, "PRAGMA page_size"))!;
        await ExecuteAsync(connection, $"PRAGMA busy_timeout = 10000; PRAGMA max_page_count = {MaxSizeMegabytes * 1024L * 1024L / pageSize}");
        return connection;
    }

    /// <summary>Takes every page the size limit leaves, in ever smaller pieces.</summary>
    private static async Task FillAsync(SqliteConnection connection)
    {
        await ExecuteAsync(connection, "CREATE TABLE filler (b BLOB)");
        foreach (int size in new[] { 64 * 1024, 4 * 1024, 256 })
        {
            try
            {
                while (true)
                {
                    await ExecuteAsync(connection, $"INSERT INTO filler VALUES (zeroblob({size}))");
                }
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 13)
            {
                // Full for pieces of this size; smaller ones may still fit.
            }
        }
    }

    /// <summary>The pages the PINs already use still have a little room: sends fill it, then are refused.</summary>
    private static async Task<Reply> SendUntilRefusedAsync(HttpClient client, string app, string template)
    {
        for (int i = 0; i < 500; i++)
        {
            Reply reply = await client.SendPinAsync(app, template, $"4179301{i:D4}");
            if (reply.Status != HttpStatusCode.OK)
            {
                return reply;
            }
        }

        throw new InvalidOperationException("500 sends fitted into a full database");
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
