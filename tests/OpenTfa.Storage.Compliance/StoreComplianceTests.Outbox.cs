using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ClaimDue_LeasesEachDueMessageToOneOwnerUntilTheLeaseEnds()
    {
        for (int i = 0; i < 3; i++)
        {
            await IssueAsync(NewPin("tenant-a", NewId(), createdAt: T0.AddSeconds(i)));
        }

        IReadOnlyList<OutboxMessage> first = await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(10), Lease, 2, Ct);
        IReadOnlyList<OutboxMessage> second = await Outbox.ClaimDueAsync("node-2", T0.AddSeconds(10), Lease, 2, Ct);
        IReadOnlyList<OutboxMessage> third = await Outbox.ClaimDueAsync("node-3", T0.AddSeconds(10) + Lease - TimeSpan.FromSeconds(1), Lease, 10, Ct);

        Assert.Equal(2, first.Count);
        Assert.Single(second);
        Assert.Empty(third);
        Assert.Empty(first.Select(m => m.Id).Intersect(second.Select(m => m.Id)));
    }

    [Fact]
    public async Task ClaimDue_ReturnsTheMessageAsQueued()
    {
        (PinRecord pin, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));

        OutboxMessage claimed = Assert.Single(await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct));

        Assert.Equal(message! with { Body = default }, claimed with { Body = default });
        Assert.Equal(0, claimed.Attempts);
        Assert.Equal("Your PIN is 1234", Protector.Open(claimed.Id, claimed.Body));
        Assert.Equal(pin.Id, claimed.PinId);
    }

    [Fact]
    public async Task ClaimDue_BeforeTheMessageIsDue_ClaimsNothing()
    {
        await IssueAsync(NewPin("tenant-a", NewId()));

        Assert.Empty(await Outbox.ClaimDueAsync("node-1", T0.AddMilliseconds(-1), Lease, 10, Ct));
        Assert.Empty(await Outbox.ClaimDueAsync("node-1", T0, Lease, 0, Ct));
    }

    [Fact]
    public async Task ClaimDue_AfterTheLeaseExpires_AnotherOwnerTakesOverAndTheFirstLosesIt()
    {
        (PinRecord pin, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        OutboxMessage taken = Assert.Single(await Outbox.ClaimDueAsync("node-2", T0 + Lease, Lease, 10, Ct));
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "late", T0 + Lease + TimeSpan.FromSeconds(1), Ct);
        MessageStatus afterLoser = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        await Outbox.MarkSubmittedAsync(message.Id, "node-2", "smpp-b", "c-2", T0 + Lease + TimeSpan.FromSeconds(2), Ct);

        Assert.Equal(message.Id, taken.Id);
        Assert.Equal(MessageState.Queued, afterLoser.State);
        Assert.Equal(0, afterLoser.Attempts);
        MessageStatus status = Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
        Assert.Equal(MessageState.Submitted, status.State);
        Assert.Equal("smpp-b", status.ChannelName);
        Assert.Equal("c-2", status.ChannelMessageId);
    }

    [Fact]
    public async Task MarkSubmitted_ByTheOwner_RecordsTheChannelAndEndsTheLease()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(2), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Submitted, status.State);
        Assert.Equal(1, status.Attempts);
        Assert.Equal("smpp-a", status.ChannelName);
        Assert.Equal("abc-1", status.ChannelMessageId);
        Assert.Equal(T0.AddSeconds(2), status.UpdatedAt);
        Assert.Null(status.Error);
        Assert.Null(status.DeliveredAt);
        Assert.Empty(await Outbox.ClaimDueAsync("node-2", T0.AddHours(1), Lease, 10, Ct));
    }

    [Fact]
    public async Task MarkSubmitted_WithoutAChannelMessageId_IsSubmitted()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "log", null, T0.AddSeconds(1), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Submitted, status.State);
        Assert.Equal("log", status.ChannelName);
        Assert.Null(status.ChannelMessageId);
    }

    [Fact]
    public async Task MarkRetry_QueuesTheMessageAgainForItsNextAttempt()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.MarkRetryAsync(message!.Id, "node-1", "smpp-a", "throttled", T0.AddSeconds(30), T0.AddSeconds(1), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Queued, status.State);
        Assert.Equal(1, status.Attempts);
        Assert.Equal("throttled", status.Error);
        Assert.Equal("smpp-a", status.ChannelName);
        Assert.Equal(T0.AddSeconds(1), status.UpdatedAt);
        Assert.Empty(await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(29), Lease, 10, Ct));
        OutboxMessage again = Assert.Single(await Outbox.ClaimDueAsync("node-2", T0.AddSeconds(30), Lease, 10, Ct));
        Assert.Equal(1, again.Attempts);
    }

    [Fact]
    public async Task MarkFailed_FailsTheMessageForGood()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.MarkFailedAsync(message!.Id, "node-1", "smpp-a", "invalid destination", T0.AddSeconds(1), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Failed, status.State);
        Assert.Equal(1, status.Attempts);
        Assert.Equal("invalid destination", status.Error);
        Assert.Empty(await Outbox.ClaimDueAsync("node-1", T0.AddHours(1), Lease, 10, Ct));
    }

    [Fact]
    public async Task Mark_ByAnOwnerWithoutTheLease_ChangesNothing()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.MarkSubmittedAsync(message!.Id, "node-2", "smpp-a", "x", T0.AddSeconds(1), Ct);
        await Outbox.MarkRetryAsync(message.Id, "node-2", "smpp-a", "x", T0.AddSeconds(5), T0.AddSeconds(1), Ct);
        await Outbox.MarkFailedAsync(message.Id, "node-2", "smpp-a", "x", T0.AddSeconds(1), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Queued, status.State);
        Assert.Equal(0, status.Attempts);
        Assert.Null(status.Error);
        Assert.Null(status.ChannelName);
    }

    [Fact]
    public async Task RecordDelivery_AfterSubmission_MarksTheMessageDelivered()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(1), Ct);

        bool matched = await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Delivered, null, T0.AddSeconds(4), T0.AddSeconds(4), Ct);

        Assert.True(matched);
        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Delivered, status.State);
        Assert.Equal(T0.AddSeconds(4), status.DeliveredAt);
        Assert.Equal(1, status.Attempts);
    }

    [Fact]
    public async Task RecordDelivery_Undeliverable_FailsTheMessageWithTheError()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(1), Ct);

        Assert.True(await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Failed, "UNDELIV", T0.AddSeconds(4), T0.AddSeconds(4), Ct));

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Failed, status.State);
        Assert.Equal("UNDELIV", status.Error);
        Assert.Null(status.DeliveredAt);
    }

    [Fact]
    public async Task RecordDelivery_ForAnotherChannelsId_DoesNotMatch()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(1), Ct);

        Assert.False(await Outbox.RecordDeliveryAsync("smpp-b", "abc-1", MessageState.Delivered, null, T0.AddSeconds(4), T0.AddSeconds(4), Ct));
        Assert.False(await Outbox.RecordDeliveryAsync("smpp-a", "unknown", MessageState.Delivered, null, T0.AddSeconds(4), T0.AddSeconds(4), Ct));

        Assert.Equal(MessageState.Submitted, (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!.State);
    }

    [Fact]
    public async Task RecordDelivery_BeforeTheSubmissionIsStored_IsAppliedWhenItIs()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        bool matched = await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Delivered, null, T0.AddSeconds(1), T0.AddSeconds(1), Ct);
        MessageState before = (await Outbox.GetMessageAsync("tenant-a", message!.Id, Ct))!.State;
        await Outbox.MarkSubmittedAsync(message.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(2), Ct);

        Assert.False(matched);
        Assert.Equal(MessageState.Queued, before);
        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Delivered, status.State);
        Assert.Equal(T0.AddSeconds(1), status.DeliveredAt);
        Assert.Equal("abc-1", status.ChannelMessageId);
        Assert.Equal(1, status.Attempts);
    }

    [Fact]
    public async Task RecordDelivery_Delivered_UpdatedAtIsWhenItWasRecorded_DeliveredAtWhenTheReportSaysItHappened()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(1), Ct);

        Assert.True(await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Delivered, null, T0.AddSeconds(3), T0.AddSeconds(9), Ct));

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(T0.AddSeconds(3), status.DeliveredAt);
        Assert.Equal(T0.AddSeconds(9), status.UpdatedAt);
    }

    [Fact]
    public async Task RecordDelivery_Failed_UpdatedAtIsWhenItWasRecorded()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(1), Ct);

        Assert.True(await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Failed, "UNDELIV", T0.AddSeconds(3), T0.AddSeconds(9), Ct));

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(T0.AddSeconds(9), status.UpdatedAt);
        Assert.Null(status.DeliveredAt);
    }

    [Fact]
    public async Task RecordDelivery_BeforeTheSubmissionIsStored_ChangesTheMessageWhenTheSubmissionIsStored()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", NewId()));
        await Outbox.ClaimDueAsync("node-1", T0, Lease, 10, Ct);

        await Outbox.RecordDeliveryAsync("smpp-a", "abc-1", MessageState.Delivered, null, T0.AddSeconds(1), T0.AddSeconds(2), Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node-1", "smpp-a", "abc-1", T0.AddSeconds(5), Ct);

        MessageStatus status = (await Outbox.GetMessageAsync("tenant-a", message.Id, Ct))!;
        Assert.Equal(MessageState.Delivered, status.State);
        Assert.Equal(T0.AddSeconds(1), status.DeliveredAt);
        Assert.Equal(T0.AddSeconds(5), status.UpdatedAt);
    }

    [Fact]
    public async Task Release_HandsBackEveryLeaseOfTheOwnerOnly()
    {
        for (int i = 0; i < 3; i++)
        {
            await IssueAsync(NewPin("tenant-a", NewId(), createdAt: T0.AddSeconds(i)));
        }

        IReadOnlyList<OutboxMessage> mine = await Outbox.ClaimDueAsync("node-1", T0.AddSeconds(5), Lease, 2, Ct);
        IReadOnlyList<OutboxMessage> theirs = await Outbox.ClaimDueAsync("node-2", T0.AddSeconds(5), Lease, 2, Ct);

        await Outbox.ReleaseAsync("node-1", Ct);

        IReadOnlyList<OutboxMessage> reclaimed = await Outbox.ClaimDueAsync("node-3", T0.AddSeconds(6), Lease, 10, Ct);
        Assert.Equal(mine.Select(m => m.Id).Order(), reclaimed.Select(m => m.Id).Order());
        Assert.Single(theirs);
    }
}
