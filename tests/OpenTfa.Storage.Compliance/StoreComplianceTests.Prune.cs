using OpenTfa.Core.Delivery;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Storage;
using OpenTfa.Core.Tenancy;

namespace OpenTfa.Storage.Compliance;

public abstract partial class StoreComplianceTests
{
    [Fact]
    public async Task Prune_DeletesConsoleSessionsADayAfterTheyEnded_AndNoOtherKey()
    {
        ApiKey session = NewKey("tenant-a", T0) with { Name = "console:bootstrap", Scopes = [], ExpiresAt = T0.AddHours(8) };
        ApiKey fresh = session with { Id = NewKey("tenant-a").Id, ExpiresAt = T0.AddDays(5) };
        ApiKey expiredKey = NewKey("tenant-a", T0) with { ExpiresAt = T0.AddHours(8) };
        foreach (ApiKey key in new[] { session, fresh, expiredKey })
        {
            await Tenants.CreateKeyAsync(key, Ct);
        }

        await Maintenance.PruneAsync(T0.AddHours(8) + RetentionPolicy.EndedConsoleSessions - TimeSpan.FromSeconds(1), Retention, Ct);
        Assert.NotNull(await Tenants.FindKeyAsync(session.Id, Ct));
        await Maintenance.PruneAsync(T0.AddHours(8) + RetentionPolicy.EndedConsoleSessions + TimeSpan.FromSeconds(1), Retention, Ct);

        Assert.Null(await Tenants.FindKeyAsync(session.Id, Ct));
        Assert.NotNull(await Tenants.FindKeyAsync(fresh.Id, Ct));
        Assert.NotNull(await Tenants.FindKeyAsync(expiredKey.Id, Ct));
    }

    [Fact]
    public async Task Prune_PinExpiredLongerThanTheRetention_IsErasedButStaysInTheHistory()
    {
        (PinRecord pin, _) = await IssueAsync(NewPin("tenant-a", NewId(), ttl: TimeSpan.FromMinutes(5)));
        DateTimeOffset expired = pin.ExpiresAt;

        PruneCounts early = await Maintenance.PruneAsync(expired + Retention.PinAfterExpiry - TimeSpan.FromSeconds(1), Retention, Ct);
        PinRecord? stillThere = await Pins.GetPinAsync("tenant-a", pin.Id, Ct);
        PruneCounts late = await Maintenance.PruneAsync(expired + Retention.PinAfterExpiry + TimeSpan.FromSeconds(1), Retention, Ct);

        Assert.Equal(0, early.PinsSealed);
        Assert.NotNull(stillThere);
        Assert.Equal(1, late.PinsSealed);
        Assert.Equal(0, late.PinsDeleted);
        Assert.Null(await Pins.GetPinAsync("tenant-a", pin.Id, Ct));
        DateTimeOffset now = expired + TimeSpan.FromDays(2);
        Assert.IsType<VerifyResult.NotFound>(await Pins.VerifyPinAsync(Verify(pin, "1234", now), Ct));
        Assert.IsType<ResendResult.NotFound>(await Pins.ResendPinAsync(Resend(pin, now), Ct));
        VerificationEntry entry = Assert.Single(await Pins.ListVerificationsAsync(
            new VerificationQuery("tenant-a", pin.ApplicationId, pin.Destination, null, null), Ct));
        Assert.Equal(new VerificationEntry(pin.Destination, true, T0, null), entry);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", pin.Id, Ct));
    }

    [Fact]
    public async Task Prune_HistoryOlderThanTheRetention_IsDeletedWithItsMessages()
    {
        (PinRecord old, _) = await IssueAsync(NewPin("tenant-a", NewId()));
        Assert.IsType<ResendResult.Resent>(await Pins.ResendPinAsync(Resend(old, T0.AddMinutes(1)), Ct));
        DateTimeOffset now = T0 + Retention.History + TimeSpan.FromSeconds(1);
        (PinRecord recent, _) = await IssueAsync(NewPin("tenant-a", old.ApplicationId, old.Destination, now - TimeSpan.FromDays(2)));

        PruneCounts counts = await Maintenance.PruneAsync(now, Retention, Ct);

        Assert.Equal(2, counts.PinsSealed);
        Assert.Equal(1, counts.PinsDeleted);
        Assert.Equal(2, counts.Messages);
        Assert.Empty(await Outbox.ListMessagesAsync("tenant-a", old.Id, Ct));
        VerificationEntry left = Assert.Single(await Pins.ListVerificationsAsync(
            new VerificationQuery("tenant-a", old.ApplicationId, old.Destination, null, null), Ct));
        Assert.Equal(recent.CreatedAt, left.SentAt);
        Assert.Single(await Outbox.ListMessagesAsync("tenant-a", recent.Id, Ct));
    }

    [Fact]
    public async Task Prune_NeverRemovesAPinBeforeItsRetentionAfterExpiry()
    {
        (PinRecord longLived, _) = await IssueAsync(NewPin("tenant-a", NewId(), ttl: TimeSpan.FromDays(365)));
        DateTimeOffset now = T0 + Retention.History + TimeSpan.FromDays(10);

        PruneCounts counts = await Maintenance.PruneAsync(now, Retention, Ct);

        Assert.Equal(new PruneCounts(0, 0, 0, counts.LimitEvents), counts);
        AssertSamePin(longLived, await Pins.GetPinAsync("tenant-a", longLived.Id, Ct));
        Assert.True(Assert.IsType<VerifyResult.Decided>(await Pins.VerifyPinAsync(Verify(longLived, "1234", now), Ct)).Decision.Verified);
    }

    [Fact]
    public async Task Prune_LimitEventsOutsideTheirWindow_AreDeletedAndLimitsStillHold()
    {
        string application = NewId();
        const string destination = "41793026727";
        LimitCheck[] limits = [SendPerApplication(application, "100/1d"), SendPerDestination(application, destination, "2/1h")];
        async Task<LimitRefusal?> SendAsync(DateTimeOffset now) =>
            await Pins.IssuePinAsync(NewPin("tenant-a", application, destination, now), null, limits, now, Ct);
        Assert.Null(await SendAsync(T0));
        Assert.Null(await SendAsync(T0.AddMinutes(30)));

        PruneCounts counts = await Maintenance.PruneAsync(T0.AddHours(1).AddSeconds(1), Retention, Ct);
        PruneCounts again = await Maintenance.PruneAsync(T0.AddHours(1).AddSeconds(1), Retention, Ct);

        Assert.Equal(1, counts.LimitEvents);
        Assert.Equal(new PruneCounts(0, 0, 0, 0), again);
        Assert.Null(await SendAsync(T0.AddHours(1).AddSeconds(2)));
        LimitRefusal? refusal = await SendAsync(T0.AddHours(1).AddSeconds(3));
        Assert.Equal(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(3), refusal?.RetryAfter);
    }

    [Fact]
    public async Task Prune_OnAnEmptyStore_CountsNothing()
    {
        Assert.Equal(new PruneCounts(0, 0, 0, 0), await Maintenance.PruneAsync(T0, Retention, Ct));
    }
}
