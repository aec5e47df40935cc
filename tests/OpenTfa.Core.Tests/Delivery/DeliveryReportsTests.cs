using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Security;
using OpenTfa.Storage.Sqlite;

namespace OpenTfa.Core.Tests.Delivery;

/// <summary>Delivery reports recorded through the one way in, against the embedded store.</summary>
public sealed class DeliveryReportsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly SecretProtector Protector = new(new EncryptionKeyRing([new EncryptionKey("test-key", RandomNumberGenerator.GetBytes(32))]));
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opentfa-core-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(T0);
    private SqliteStore? _store;

    private SqliteStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private DeliveryReports Reports => new(Store.Outbox, _time, NullLogger<DeliveryReports>.Instance);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "opentfa.db") });
        await _store.Maintenance.InitializeAsync(Ct);
    }

    public Task DisposeAsync()
    {
        _store?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Record_ReportWithItsOwnTime_DeliversTheMessageAtThatTime()
    {
        OutboxMessage message = await SubmitAsync("smsc", "c-1");
        _time.Advance(TimeSpan.FromSeconds(9));

        bool matched = await Reports.RecordAsync("smsc", new DeliveryReport("c-1", MessageState.Delivered, null, T0.AddSeconds(4)), Ct);

        Assert.True(matched);
        MessageStatus status = (await Store.Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal((MessageState.Delivered, T0.AddSeconds(4), T0.AddSeconds(9)), (status.State, status.DeliveredAt, status.UpdatedAt));
    }

    [Fact]
    public async Task Record_ReportWithoutATime_IsStampedWhenRecorded()
    {
        OutboxMessage message = await SubmitAsync("gateway", "c-2");
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.True(await Reports.RecordAsync("gateway", new DeliveryReport("c-2", MessageState.Delivered, null), Ct));

        Assert.Equal(T0.AddSeconds(6), (await Store.Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!.DeliveredAt);
    }

    [Fact]
    public async Task Record_FailedReport_FailsTheMessageWithTheGatewaysError()
    {
        OutboxMessage message = await SubmitAsync("gateway", "c-3");

        Assert.True(await Reports.RecordAsync("gateway", new DeliveryReport("c-3", MessageState.Failed, "UNDELIV err:001"), Ct));

        MessageStatus status = (await Store.Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal((MessageState.Failed, "UNDELIV err:001", (DateTimeOffset?)null), (status.State, status.Error, status.DeliveredAt));
    }

    [Fact]
    public async Task Record_ReportOfAnotherChannel_LeavesTheMessageSubmitted()
    {
        OutboxMessage message = await SubmitAsync("smsc-a", "c-4");

        Assert.False(await Reports.RecordAsync("smsc-b", new DeliveryReport("c-4", MessageState.Delivered, null), Ct));

        Assert.Equal(MessageState.Submitted, (await Store.Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!.State);
    }

    [Fact]
    public async Task Record_ReportThatOvertookTheSubmission_IsAppliedWhenTheSubmissionIsStored()
    {
        OutboxMessage message = await IssueAsync();
        await Store.Outbox.ClaimDueAsync("node-1", T0, TimeSpan.FromMinutes(1), 10, Ct);

        bool matched = await Reports.RecordAsync("smsc", new DeliveryReport("c-5", MessageState.Delivered, null, T0.AddSeconds(1)), Ct);
        await Store.Outbox.MarkSubmittedAsync(message.Id, "node-1", "smsc", "c-5", T0.AddSeconds(2), Ct);

        Assert.False(matched);
        MessageStatus status = (await Store.Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal((MessageState.Delivered, T0.AddSeconds(1)), (status.State, status.DeliveredAt));
    }

    /// <summary>A PIN's message, queued, claimed and accepted by <paramref name="channel"/> under <paramref name="channelMessageId"/>.</summary>
    private async Task<OutboxMessage> SubmitAsync(string channel, string channelMessageId)
    {
        OutboxMessage message = await IssueAsync();
        await Store.Outbox.ClaimDueAsync("node-1", T0, TimeSpan.FromMinutes(1), 10, Ct);
        await Store.Outbox.MarkSubmittedAsync(message.Id, "node-1", channel, channelMessageId, T0, Ct);
        return message;
    }

    private async Task<OutboxMessage> IssueAsync()
    {
        string pinId = Ids.New();
        var pin = new PinRecord(pinId, "tenant-a", Ids.New(), Ids.New(), ChannelKind.Sms, "41793026727", Protector.Seal(pinId, "1234"), T0,
            T0.AddMinutes(15), 3, Sent: true);
        string messageId = Ids.New();
        var message = new OutboxMessage(messageId, pinId, pin.TenantId, pin.ApplicationId, pin.Kind, pin.Destination, null,
            Protector.Seal(messageId, "Your PIN is 1234"), T0, pin.ExpiresAt);
        Assert.Null(await Store.Pins.IssuePinAsync(pin, message, [], T0, Ct));
        return message;
    }
}
