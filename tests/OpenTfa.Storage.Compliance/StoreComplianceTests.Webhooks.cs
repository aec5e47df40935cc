using OpenTfa.Core.Storage;
using OpenTfa.Core.Webhooks;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    private static Webhook NewWebhook(string tenant, string application, DateTimeOffset? at = null, bool enabled = true, params string[] events)
    {
        string id = NewId();
        return new Webhook(id, tenant, application, "https://hooks.example.com/opentfa", events.Length == 0 ? ["pin.sent", "pin.verified"] : events, enabled, "crm",
            Protector.Seal(id, "whsec_test"), at ?? T0, at ?? T0);
    }

    private static WebhookDelivery NewDelivery(Webhook webhook, DateTimeOffset at, string type = "pin.sent") =>
        new(NewId(), webhook.Id, webhook.TenantId, webhook.ApplicationId, NewId(), type, $$"""{"id":"x","type":"{{type}}"}""", WebhookDeliveryState.Pending, 0, at, at, at);

    [Fact]
    public async Task Webhooks_CreateGetListUpdateDelete_KeepEveryFieldAndTheTenantApart()
    {
        Webhook first = NewWebhook("tenant-a", "app-1");
        Webhook second = NewWebhook("tenant-a", "app-1", T0.AddSeconds(1));
        await Webhooks.CreateWebhookAsync(first, Ct);
        await Webhooks.CreateWebhookAsync(second, Ct);
        await Webhooks.CreateWebhookAsync(NewWebhook("tenant-a", "app-2"), Ct);

        Webhook? read = await Webhooks.GetWebhookAsync("tenant-a", first.Id, Ct);
        AssertSameWebhook(first, read);
        Assert.Equal("whsec_test", Protector.Open(first.Id, read!.Secret));
        Assert.Equal([first.Id, second.Id], (await Webhooks.ListWebhooksAsync("tenant-a", "app-1", Ct)).Select(w => w.Id));
        Assert.Null(await Webhooks.GetWebhookAsync("tenant-b", first.Id, Ct));
        Assert.Empty(await Webhooks.ListWebhooksAsync("tenant-b", "app-1", Ct));

        Webhook changed = first with { Url = "https://other.example.com/h", Events = ["message.failed"], Enabled = false, Description = null, UpdatedAt = T0.AddMinutes(1) };
        Assert.False(await Webhooks.UpdateWebhookAsync(changed with { TenantId = "tenant-b" }, Ct));
        Assert.True(await Webhooks.UpdateWebhookAsync(changed, Ct));
        AssertSameWebhook(changed, await Webhooks.GetWebhookAsync("tenant-a", first.Id, Ct));

        Assert.False(await Webhooks.DeleteWebhookAsync("tenant-b", first.Id, Ct));
        Assert.True(await Webhooks.DeleteWebhookAsync("tenant-a", first.Id, Ct));
        Assert.Null(await Webhooks.GetWebhookAsync("tenant-a", first.Id, Ct));
        Assert.False(await Webhooks.DeleteWebhookAsync("tenant-a", first.Id, Ct));
    }

    [Fact]
    public async Task WebhookDeliveries_ClaimedWhenDue_OncePerLease_OnlyForEnabledWebhooks()
    {
        Webhook on = NewWebhook("tenant-a", "app-1");
        Webhook off = NewWebhook("tenant-a", "app-1", enabled: false);
        await Webhooks.CreateWebhookAsync(on, Ct);
        await Webhooks.CreateWebhookAsync(off, Ct);
        WebhookDelivery due = NewDelivery(on, T0);
        WebhookDelivery later = NewDelivery(on, T0.AddMinutes(5));
        await Webhooks.EnqueueWebhookDeliveriesAsync([due, later, NewDelivery(off, T0)], Ct);

        IReadOnlyList<ClaimedWebhookDelivery> claimed = await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0.AddSeconds(1), TimeSpan.FromMinutes(1), 10, Ct);
        ClaimedWebhookDelivery only = Assert.Single(claimed);
        Assert.Equal(due with { Attempts = 0 }, only.Delivery);
        Assert.Equal(on.Url, only.Url);
        Assert.Equal("whsec_test", Protector.Open(on.Id, only.Secret));
        Assert.Empty(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-2", T0.AddSeconds(2), TimeSpan.FromMinutes(1), 10, Ct));

        // A lease that ran out is taken over by another node.
        Assert.Single(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-2", T0.AddMinutes(2), TimeSpan.FromMinutes(1), 10, Ct));
    }

    [Fact]
    public async Task WebhookAttempts_RecordedByTheLeaseOwnerOnly_AndListedWithTheirDeliveries()
    {
        Webhook webhook = NewWebhook("tenant-a", "app-1");
        await Webhooks.CreateWebhookAsync(webhook, Ct);
        WebhookDelivery delivery = NewDelivery(webhook, T0);
        await Webhooks.EnqueueWebhookDeliveriesAsync([delivery], Ct);
        await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0, TimeSpan.FromMinutes(1), 10, Ct);

        var failed = new WebhookAttemptOutcome(delivery.Id, new WebhookAttempt(1, T0, 500, "answered 500", 12), WebhookDeliveryState.Pending, T0.AddSeconds(10));
        Assert.False(await Webhooks.RecordWebhookAttemptAsync("node-2", failed, Ct));
        Assert.True(await Webhooks.RecordWebhookAttemptAsync("node-1", failed, Ct));
        Assert.Empty(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0.AddSeconds(9), TimeSpan.FromMinutes(1), 10, Ct));
        Assert.Single(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0.AddSeconds(10), TimeSpan.FromMinutes(1), 10, Ct));
        var delivered = new WebhookAttemptOutcome(delivery.Id, new WebhookAttempt(2, T0.AddSeconds(10), 204, null, 3), WebhookDeliveryState.Delivered, null);
        Assert.True(await Webhooks.RecordWebhookAttemptAsync("node-1", delivered, Ct));
        Assert.Empty(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0.AddHours(1), TimeSpan.FromMinutes(1), 10, Ct));

        WebhookDeliveryRecord record = Assert.Single(await Webhooks.ListWebhookDeliveriesAsync("tenant-a", webhook.Id, 10, Ct));
        Assert.Equal(WebhookDeliveryState.Delivered, record.Delivery.State);
        Assert.Equal(2, record.Delivery.Attempts);
        Assert.Equal(204, record.Delivery.LastStatus);
        Assert.Null(record.Delivery.LastError);
        Assert.Equal(T0.AddSeconds(10), record.Delivery.DeliveredAt);
        Assert.Equal([failed.Attempt, delivered.Attempt], record.Attempts);
        Assert.Empty(await Webhooks.ListWebhookDeliveriesAsync("tenant-b", webhook.Id, 10, Ct));
    }

    [Fact]
    public async Task WebhookDeliveries_ListNewestFirst_PruneOnlyFinishedOnes_AndGoWithTheirWebhook()
    {
        Webhook webhook = NewWebhook("tenant-a", "app-1");
        await Webhooks.CreateWebhookAsync(webhook, Ct);
        WebhookDelivery old = NewDelivery(webhook, T0);
        WebhookDelivery pending = NewDelivery(webhook, T0.AddSeconds(1));
        WebhookDelivery recent = NewDelivery(webhook, T0.AddDays(2));
        await Webhooks.EnqueueWebhookDeliveriesAsync([old, pending, recent], Ct);
        await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0, TimeSpan.FromMinutes(1), 1, Ct);
        Assert.True(await Webhooks.RecordWebhookAttemptAsync("node-1",
            new WebhookAttemptOutcome(old.Id, new WebhookAttempt(1, T0, 200, null, 1), WebhookDeliveryState.Delivered, null), Ct));

        Assert.Equal([recent.Id, pending.Id, old.Id], (await Webhooks.ListWebhookDeliveriesAsync("tenant-a", webhook.Id, 10, Ct)).Select(r => r.Delivery.Id));
        Assert.Equal([recent.Id], (await Webhooks.ListWebhookDeliveriesAsync("tenant-a", webhook.Id, 1, Ct)).Select(r => r.Delivery.Id));

        Assert.Equal(1, await Webhooks.PruneWebhookDeliveriesAsync(T0.AddDays(1), Ct));
        Assert.Equal([recent.Id, pending.Id], (await Webhooks.ListWebhookDeliveriesAsync("tenant-a", webhook.Id, 10, Ct)).Select(r => r.Delivery.Id));

        Assert.True(await Webhooks.DeleteWebhookAsync("tenant-a", webhook.Id, Ct));
        Assert.Empty(await Webhooks.ListWebhookDeliveriesAsync("tenant-a", webhook.Id, 10, Ct));
        Assert.Empty(await Webhooks.ClaimDueWebhookDeliveriesAsync("node-1", T0.AddDays(3), TimeSpan.FromMinutes(1), 10, Ct));
    }

    private static void AssertSameWebhook(Webhook expected, Webhook? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Secret = default, Events = [] }, actual with { Secret = default, Events = [] });
        Assert.Equal(expected.Events, actual.Events);
        Assert.Equal(expected.Secret.KeyId, actual.Secret.KeyId);
        Assert.Equal(expected.Secret.Data, actual.Secret.Data);
    }
}
