using Microsoft.Data.Sqlite;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Storage.Compliance;

namespace OpenTfa.Storage.Sqlite.Tests;

/// <summary>The embedded store against the compliance suite every provider passes; a fresh database file per test.</summary>
public sealed class SqliteStoreComplianceTests : StoreComplianceTests
{
    private TempDatabase? _database;

    protected override async Task<StoreUnderTest> CreateStoreAsync()
    {
        var database = _database = new TempDatabase();
        var store = new SqliteStore(database.Options);
        await store.Maintenance.InitializeAsync(CancellationToken.None);
        return StoreUnderTest.Create(store, () =>
        {
            database.Dispose();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>The store holds the PINs it wrote in memory; a change made by another process on the file must still count.</summary>
    [Fact]
    public async Task Verify_AfterAnotherProcessChangedThePin_DecidesOnWhatThatProcessWrote()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), attempts: 5));
        Assert.Equal(4, Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(1)), Ct)).Decision.AttemptsRemaining);

        await using (var outside = new SqliteConnection($"Data Source={_database!.Path}"))
        {
            await outside.OpenAsync(Ct);
            await using SqliteCommand update = outside.CreateCommand();
            update.CommandText = "UPDATE pins SET attempts_remaining = 1 WHERE id = $id";
            update.Parameters.AddWithValue("$id", pin.Id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync(Ct));
        }

        VerifyResult.Decided last = Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(2)), Ct));
        Assert.Equal(0, last.Decision.AttemptsRemaining);
        Assert.Equal(PinError.NoMorePinAttempts, Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(3)), Ct)).Decision.Error);
    }

    /// <summary>A PIN held in memory is the row as a read gives it, so a verify decides the same whichever it sees.</summary>
    [Fact]
    public async Task Verify_OfAPinHeldInMemory_AnswersWhatTheRowSays()
    {
        PinRecord issued = NewPin("tenant-a", NewId(), createdAt: T0.AddTicks(12_345), ttl: TimeSpan.FromSeconds(10), attempts: 3);
        await IssueAsync(issued);

        VerifyResult.Decided held = Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(issued, "0000", T0.AddSeconds(5)), Ct));
        PinRecord read = (await Pins.GetPinAsync("tenant-a", issued.Id, Ct))!;

        Assert.Equal(read.CreatedAt, held.Pin.CreatedAt);
        Assert.Equal(read.ExpiresAt, held.Pin.ExpiresAt);
        Assert.Equal(2, read.AttemptsRemaining);
        Assert.Equal(PinError.TtlExpired, Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(issued, "1234", read.ExpiresAt), Ct)).Decision.Error);
    }
}
