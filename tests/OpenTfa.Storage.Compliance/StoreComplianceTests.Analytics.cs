using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task PinFacts_InTheWindow_WithWhatBecameOfTheirMessages()
    {
        (PinRecord delivered, OutboxMessage? deliveredMessage) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0));
        (PinRecord failed, OutboxMessage? failedMessage) = await IssueAsync(NewPin("tenant-a", "app-1", "41793000002", createdAt: T0.AddSeconds(1)));
        (PinRecord email, _) = await IssueAsync(NewPin("tenant-a", "app-2", "ada@example.com", createdAt: T0.AddSeconds(2), kind: ChannelKind.Email));
        (PinRecord notSent, _) = await IssueAsync(NewPin("tenant-a", "app-1", "41793000003", createdAt: T0.AddSeconds(3), sent: false), withMessage: false);
        await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0.AddHours(2)));
        await IssueAsync(NewPin("tenant-b", "app-1", createdAt: T0));

        await Outbox.ClaimDueAsync("node", T0.AddSeconds(5), TimeSpan.FromMinutes(1), 10, Ct);
        await Outbox.MarkSubmittedAsync(deliveredMessage!.Id, "node", "smsc", "c-1", T0.AddSeconds(5), Ct);
        Assert.True(await Outbox.RecordDeliveryAsync("smsc", "c-1", MessageState.Delivered, null, T0.AddSeconds(8), T0.AddSeconds(8), Ct));
        await Outbox.MarkFailedAsync(failedMessage!.Id, "node", "smsc", "refused", T0.AddSeconds(5), Ct);
        Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(delivered, "1234", T0.AddSeconds(30)), Ct));

        IReadOnlyList<PinFacts> facts = await Analytics.ListPinFactsAsync(new PinFactsQuery("tenant-a", null, T0, T0.AddHours(1), 100), Ct);

        Assert.Equal([delivered.Id, failed.Id, email.Id, notSent.Id], facts.Select(f => f.PinId));
        Assert.Equal(new PinFacts(delivered.Id, "app-1", ChannelKind.Sms, delivered.Destination, T0, true, T0.AddSeconds(30), T0.AddSeconds(8), 1, 1, 0), facts[0]);
        Assert.Equal(new PinFacts(failed.Id, "app-1", ChannelKind.Sms, "41793000002", T0.AddSeconds(1), true, null, null, 1, 0, 1), facts[1]);
        Assert.Equal(new PinFacts(email.Id, "app-2", ChannelKind.Email, "ada@example.com", T0.AddSeconds(2), true, null, null, 1, 0, 0), facts[2]);
        Assert.Equal(new PinFacts(notSent.Id, "app-1", ChannelKind.Sms, "41793000003", T0.AddSeconds(3), false, null, null, 0, 0, 0), facts[3]);
        Assert.Equal([email.Id], (await Analytics.ListPinFactsAsync(new PinFactsQuery("tenant-a", "app-2", T0, T0.AddHours(1), 100), Ct)).Select(f => f.PinId));
        Assert.Equal(2, (await Analytics.ListPinFactsAsync(new PinFactsQuery("tenant-a", null, T0, T0.AddHours(1), 2), Ct)).Count);
    }

    [Fact]
    public async Task DestinationHistory_NewestFirst_OfOneApplicationAndTenant()
    {
        (PinRecord first, _) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0));
        (PinRecord second, _) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0.AddMinutes(1)));
        await IssueAsync(NewPin("tenant-a", "app-2", createdAt: T0));
        await IssueAsync(NewPin("tenant-b", "app-1", createdAt: T0));
        await IssueAsync(NewPin("tenant-a", "app-1", "41793000009", createdAt: T0));

        IReadOnlyList<PinHistoryEntry> history = await Analytics.ListDestinationHistoryAsync("tenant-a", "app-1", first.Destination, 10, Ct);

        Assert.Equal([second.Id, first.Id], history.Select(h => h.PinId));
        Assert.Equal(new PinHistoryEntry(first.Id, ChannelKind.Sms, first.Destination, T0, first.ExpiresAt, true, null, first.AttemptsRemaining, false, false), history[1]);
        Assert.Single(await Analytics.ListDestinationHistoryAsync("tenant-a", "app-1", first.Destination, 1, Ct));
    }

    [Fact]
    public async Task QueueStats_CountQueuedMessagesAndPendingWebhookDeliveries()
    {
        Assert.Equal(new QueueStats(0, null, 0, null), await Analytics.GetQueueStatsAsync(Ct));
        (_, OutboxMessage? oldest) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0));
        await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0.AddSeconds(5)));
        (_, OutboxMessage? sent) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0.AddSeconds(1)));
        await Outbox.ClaimDueAsync("node", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 10, Ct);
        await Outbox.MarkSubmittedAsync(sent!.Id, "node", "smsc", null, T0.AddSeconds(2), Ct);
        await Outbox.ReleaseAsync("node", Ct);
        Webhook webhook = NewWebhook("tenant-a", "app-1");
        await Webhooks.CreateWebhookAsync(webhook, Ct);
        await Webhooks.EnqueueWebhookDeliveriesAsync([NewDelivery(webhook, T0.AddSeconds(3)), NewDelivery(webhook, T0.AddSeconds(4))], Ct);

        Assert.Equal(new QueueStats(2, oldest!.CreatedAt, 2, T0.AddSeconds(3)), await Analytics.GetQueueStatsAsync(Ct));
    }

    [Fact]
    public async Task MessageFacts_ByIdAndByChannelMessageId_CarryTheApplication()
    {
        (_, OutboxMessage? message) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0));
        await Outbox.ClaimDueAsync("node", T0, TimeSpan.FromMinutes(1), 10, Ct);
        await Outbox.MarkSubmittedAsync(message!.Id, "node", "smsc", "c-9", T0.AddSeconds(1), Ct);

        MessageFacts? facts = await Analytics.GetMessageFactsAsync(message.Id, Ct);
        Assert.NotNull(facts);
        Assert.Equal("app-1", facts.ApplicationId);
        Assert.Equal(MessageState.Submitted, facts.Status.State);
        Assert.Equal("smsc", facts.Status.ChannelName);
        Assert.Equal(message.Id, Assert.Single(await Analytics.FindMessageFactsAsync("smsc", "c-9", Ct)).Status.Id);
        Assert.Empty(await Analytics.FindMessageFactsAsync("other", "c-9", Ct));
        Assert.Null(await Analytics.GetMessageFactsAsync(NewId(), Ct));
    }

    [Fact]
    public async Task PinStory_HoldsThePinAndEachVerifyInOrder_ForItsTenantOnly()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0, attempts: 3));
        await Pins.VerifyPinAsync(Verify(pin, "0000", T0.AddSeconds(10)), Ct);
        await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(20), allowMultiple: false), Ct);
        await Pins.VerifyPinAsync(Verify(pin, "1234", T0.AddSeconds(30)), Ct);

        PinStoryFacts story = (await Analytics.GetPinStoryAsync("tenant-a", pin.Id, Ct))!;

        Assert.Equal((pin.Id, "app-1", pin.TemplateId, pin.Destination), (story.Pin.PinId, story.ApplicationId, story.TemplateId, story.Pin.Destination));
        Assert.Equal(T0.AddSeconds(20), story.Pin.VerifiedAt);
        Assert.True(story.Pin.Consumed);
        Assert.Equal(
            [new VerifyAttempt(T0.AddSeconds(10), "WRONG_PIN"), new VerifyAttempt(T0.AddSeconds(20), "VERIFIED"), new VerifyAttempt(T0.AddSeconds(30), "NO_MORE_PIN_ATTEMPTS")],
            VerifyLog.Parse(story.VerifyLog));
        Assert.Null(await Analytics.GetPinStoryAsync("tenant-b", pin.Id, Ct));
        Assert.Null(await Analytics.GetPinStoryAsync("tenant-a", NewId(), Ct));
    }

    [Fact]
    public async Task ClaimExpiredPins_AnnouncesEachUnusedPinOnce_AcrossConcurrentSweeps()
    {
        (PinRecord unused, _) = await IssueAsync(NewPin("tenant-a", "app-1", createdAt: T0, ttl: TimeSpan.FromMinutes(5)));
        (PinRecord verified, _) = await IssueAsync(NewPin("tenant-a", "app-1", "41793000002", createdAt: T0, ttl: TimeSpan.FromMinutes(5)));
        (PinRecord exhausted, _) = await IssueAsync(NewPin("tenant-a", "app-1", "41793000003", createdAt: T0, ttl: TimeSpan.FromMinutes(5), attempts: 1));
        await IssueAsync(NewPin("tenant-a", "app-1", "41793000004", createdAt: T0, ttl: TimeSpan.FromMinutes(5), sent: false), withMessage: false);
        (PinRecord later, _) = await IssueAsync(NewPin("tenant-a", "app-1", "41793000005", createdAt: T0, ttl: TimeSpan.FromMinutes(30)));
        await Pins.VerifyPinAsync(Verify(verified, "1234", T0.AddMinutes(1)), Ct);
        await Pins.VerifyPinAsync(Verify(exhausted, "0000", T0.AddMinutes(1)), Ct);

        Assert.Empty(await Analytics.ClaimExpiredPinsAsync(T0.AddMinutes(4), 100, Ct));
        ExpiredPin[][] sweeps = await RunConcurrentlyAsync(4, _ => Analytics.ClaimExpiredPinsAsync(T0.AddMinutes(5), 100, Ct).ContinueWith(t => t.Result.ToArray(), TaskScheduler.Default));

        ExpiredPin announced = Assert.Single(sweeps.SelectMany(s => s));
        Assert.Equal(new ExpiredPin(unused.Id, "tenant-a", "app-1", ChannelKind.Sms, unused.Destination, T0, T0.AddMinutes(5)), announced);
        Assert.Empty(await Analytics.ClaimExpiredPinsAsync(T0.AddMinutes(10), 100, Ct));
        Assert.Equal([later.Id], (await Analytics.ClaimExpiredPinsAsync(T0.AddHours(1), 100, Ct)).Select(p => p.PinId));
    }
}
