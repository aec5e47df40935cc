using System.Net;
using Microsoft.Data.Sqlite;
using Npgsql;
using OpenTfa.MultiNode.Tests.Infrastructure;
using OpenTfa.Testing;

namespace OpenTfa.MultiNode.Tests;

/// <summary>The backup drills of docs/deployment.md, run for real: a PIN sent before the backup verifies after the restore.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BackupRestoreTests(PostgresServer postgres)
{
    [Fact]
    public async Task PgDumpOfALiveDatabase_RestoredIntoANewDatabase_WithTheSameKeyFile_VerifiesAPinSentBeforeTheBackup()
    {
        await using Cluster cluster = await Cluster.StartAsync(postgres, 1);
        (string app, string template) = await cluster[0].Client.CreateAppAndTemplateAsync();
        string to = Api.Number(6, 1);
        string pinId = await cluster[0].Client.SendPinOkAsync(app, template, to);
        string pin = await cluster.WaitForPinAsync(to);

        string dump = Path.Combine(cluster.Folder, "opentfa.dump");
        await PostgresTools.DumpAsync(postgres.Port, cluster.DatabaseName, dump);
        string restored = await postgres.CreateDatabaseAsync();
        string restoredName = new NpgsqlConnectionStringBuilder(restored).Database!;
        try
        {
            await PostgresTools.RestoreAsync(postgres.Port, restoredName, dump);
            ServerNode node = await cluster.StartNodeAsync("restored", connectionString: restored);

            Reply verify = await node.Client.VerifyAsync(pinId, pin);
            Assert.Equal(HttpStatusCode.OK, verify.Status);
            Assert.True(verify.Verified, verify.ToString());
            Reply applications = await node.Client.GetJsonAsync($"/2fa/2/applications/{app}");
            Assert.Equal(HttpStatusCode.OK, applications.Status);
        }
        finally
        {
            await postgres.DropDatabaseAsync(restoredName);
        }
    }

    [Fact]
    public async Task SqliteOnlineBackupOfARunningNode_WithItsKeyFile_RestoredIntoANewDataFolder_VerifiesAPinSentBeforeTheBackup()
    {
        string folder = Directory.CreateTempSubdirectory("opentfa-sqlite-backup-").FullName;
        string apiKey = "otf-sqlite-drill-" + Guid.NewGuid().ToString("N");
        ServerNode? original = null;
        ServerNode? restored = null;
        try
        {
            string data = Path.Combine(folder, "data");
            original = await ServerNode.StartAsync("sqlite", folder, Embedded(data, apiKey), apiKey);
            (string app, string template) = await original.Client.CreateAppAndTemplateAsync();
            string to = Api.Number(6, 2);
            string pinId = await original.Client.SendPinOkAsync(app, template, to);
            string pin = (await original.WaitForDeliveryAsync(to)).Pin;

            // While the node runs: SQLite's online backup API, then the key file beside it.
            string backup = Path.Combine(folder, "backup");
            Directory.CreateDirectory(backup);
            using (var source = new SqliteConnection($"Data Source={Path.Combine(data, "opentfa.db")};Pooling=False"))
            using (var target = new SqliteConnection($"Data Source={Path.Combine(backup, "opentfa.db")};Pooling=False"))
            {
                source.Open();
                target.Open();
                source.BackupDatabase(target);
            }

            File.Copy(Path.Combine(data, "opentfa.key"), Path.Combine(backup, "opentfa.key"));
            Assert.Equal(HttpStatusCode.OK, (await original.Client.SendPinAsync(app, template, Api.Number(6, 3))).Status);

            string restoredData = Path.Combine(folder, "restored");
            Directory.CreateDirectory(restoredData);
            foreach (string file in Directory.GetFiles(backup))
            {
                File.Copy(file, Path.Combine(restoredData, Path.GetFileName(file)));
            }

            restored = await ServerNode.StartAsync("sqlite-restored", folder, Embedded(restoredData, apiKey), apiKey);
            Reply verify = await restored.Client.VerifyAsync(pinId, pin);
            Assert.Equal(HttpStatusCode.OK, verify.Status);
            Assert.True(verify.Verified, verify.ToString());
        }
        finally
        {
            if (restored is not null)
            {
                await restored.DisposeAsync();
            }

            if (original is not null)
            {
                await original.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A single node on the embedded store; its key file is created in the data folder on first start.</summary>
    private static Dictionary<string, string> Embedded(string data, string apiKey) => new()
    {
        ["OpenTfa__DataDirectory"] = data,
        ["OpenTfa__BootstrapApiKey"] = apiKey,
        ["OpenTfa__Delivery__PollInterval"] = "00:00:00.2",
    };
}
