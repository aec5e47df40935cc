using OpenTfa.Client.Tests.Infrastructure;
using OpenTfa.Contracts;

namespace OpenTfa.Client.Tests;

/// <summary>The operator's endpoints through the typed client: version, channels, protection, webhooks, audit, analytics, history.</summary>
public sealed class OperationsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly TestServer _server = fixture.Server;

    private static async Task<string> TenantKeyAsync(OpenTfaClient admin, params string[] scopes)
    {
        TenantResponse tenant = await admin.CreateTenantAsync(new CreateTenantRequest { Name = "tenant-" + Guid.NewGuid().ToString("N")[..8] });
        return (await admin.CreateApiKeyAsync(new CreateApiKeyRequest { Name = "k", TenantId = tenant.TenantId, Scopes = scopes })).Key!;
    }

    [Fact]
    public async Task VersionAndChannels_AnswerForTheOperator_ChannelsAreRefusedToATenant()
    {
        OpenTfaClient admin = _server.Sdk();

        VersionResponse version = await admin.GetVersionAsync();
        IReadOnlyList<ChannelResponse> channels = await admin.GetChannelsAsync();

        Assert.Matches(@"^\d+\.\d+\.\d+", version.Version);
        ChannelResponse log = Assert.Single(channels, c => c.Type == "log");
        Assert.Equal("READY", log.State);
        Assert.Equal("CLOSED", log.Circuit!.State);
        OpenTfaClient tenant = _server.Sdk(await TenantKeyAsync(admin, "opentfa:admin"));
        Assert.False(string.IsNullOrEmpty((await tenant.GetVersionAsync()).Version));
        await Assert.ThrowsAsync<OpenTfaForbiddenException>(() => tenant.GetChannelsAsync());
    }

    [Fact]
    public async Task Protection_SetForAnApplication_ReadBackMaskedOrInFull_AndEnforced()
    {
        OpenTfaClient admin = _server.Sdk();
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        long expires = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeMilliseconds();

        ProtectionPolicy saved = await admin.SetProtectionAsync(new ProtectionPolicy
        {
            Countries = new ProtectionListRule { Deny = ["FR"] },
            TestNumbers = [new ProtectionTestNumber { Number = "41793555001", Pin = "4242", ExpiresAt = expires }],
        }, app);

        Assert.Equal(["FR"], saved.Countries!.Deny);
        Assert.Equal("enforce", saved.Countries.Mode);
        Assert.Equal("monitor", saved.Guard!.Mode);
        ProtectionTestNumber masked = Assert.Single((await admin.GetProtectionAsync(app)).TestNumbers!);
        Assert.DoesNotContain("41793555001", masked.Number, StringComparison.Ordinal);
        Assert.Null(masked.Pin);
        Assert.Equal("41793555001", Assert.Single((await admin.GetProtectionAsync(app, unmasked: true)).TestNumbers!).Number);
        Assert.Empty((await admin.GetProtectionAsync()).Countries!.Deny!);

        OpenTfaForbiddenException refused = await Assert.ThrowsAsync<OpenTfaForbiddenException>(() =>
            admin.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = "33612345678" }));
        Assert.Contains("FR", refused.Message, StringComparison.Ordinal);
        RuleEventsResponse events = await admin.GetProtectionEventsAsync(app, since: DateTimeOffset.UtcNow.AddMinutes(-5), limit: 10);
        Assert.Contains(events.Counts, c => c.Rule == "countries" && c.Mode == "enforce" && c.Count == 1);
        Assert.Equal("FR", Assert.Single(events.Events).Country);
        Assert.Empty(await admin.GetGuardBlocksAsync(app));

        OpenTfaBadRequestException invalid = await Assert.ThrowsAsync<OpenTfaBadRequestException>(() =>
            admin.SetProtectionAsync(new ProtectionPolicy { Guard = new ProtectionGuardRule { Mode = "sometimes" } }, app));
        Assert.Contains("guard.mode", invalid.ValidationErrors.Keys);
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => admin.GetProtectionAsync("0000000000000000000000000000DEAD"));
    }

    [Fact]
    public async Task Lockouts_ListAFailingDestination_AndClearIt()
    {
        OpenTfaClient admin = _server.Sdk();
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        await admin.SetProtectionAsync(new ProtectionPolicy { Nist = true }, app);
        string to = Requests.NewNumber();
        StartAuthenticationResponse sent = await admin.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to });
        string pin = await _server.Deliveries.WaitForPinAsync(to);

        VerifyPinResponse wrong = await admin.VerifyPinAsync(sent.PinId, pin == "000000" ? "111111" : "000000");

        Assert.False(wrong.Verified);
        LockoutResponse failing = Assert.Single(await admin.GetLockoutsAsync(app, minimumFailures: 1));
        Assert.Equal(1, failing.Failures);
        Assert.False(failing.Locked);
        Assert.DoesNotContain(to, failing.Destination, StringComparison.Ordinal);
        Assert.Equal(to, Assert.Single(await admin.GetLockoutsAsync(app, minimumFailures: 1, unmasked: true)).Destination);
        Assert.Empty(await admin.GetLockoutsAsync(app));

        await admin.ClearLockoutAsync(app, to);

        Assert.Empty(await admin.GetLockoutsAsync(app, minimumFailures: 1));
        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => admin.ClearLockoutAsync(app, to));
    }

    [Fact]
    public async Task Webhooks_CreateListUpdateRotateReadDeliveriesAndDelete()
    {
        OpenTfaClient admin = _server.Sdk();
        string app = (await admin.CreateApplicationAsync(Requests.RoomyApplication())).ApplicationId;

        WebhookResponse created = await admin.CreateWebhookAsync(app, new WebhookRequest { Url = "https://hooks.example.com/opentfa", Events = ["pin.verified"], Description = "backend" });

        Assert.False(string.IsNullOrEmpty(created.Secret));
        Assert.Equal(["pin.verified"], created.Events);
        WebhookResponse listed = Assert.Single(await admin.GetWebhooksAsync(app));
        Assert.Equal(created.WebhookId, listed.WebhookId);
        Assert.Null(listed.Secret);
        Assert.False((await admin.UpdateWebhookAsync(app, created.WebhookId, new WebhookRequest { Enabled = false })).Enabled);
        Assert.Equal("backend", (await admin.GetWebhookAsync(app, created.WebhookId)).Description);
        WebhookResponse rotated = await admin.RotateWebhookSecretAsync(app, created.WebhookId);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Empty(await admin.GetWebhookDeliveriesAsync(app, created.WebhookId, limit: 10));

        await admin.DeleteWebhookAsync(app, created.WebhookId);

        await Assert.ThrowsAsync<OpenTfaNotFoundException>(() => admin.GetWebhookAsync(app, created.WebhookId));
        await Assert.ThrowsAsync<OpenTfaBadRequestException>(() => admin.CreateWebhookAsync(app, new WebhookRequest { Url = "http://10.0.0.1/hook" }));
    }

    [Fact]
    public async Task AuditAnalyticsAndHistory_FollowAPinFromSendToVerification()
    {
        OpenTfaClient admin = _server.Sdk();
        DateTimeOffset start = DateTimeOffset.UtcNow.AddSeconds(-1);
        (string app, string template) = await admin.CreateAppAndTemplateAsync();
        string to = Requests.NewNumber();
        StartAuthenticationResponse sent = await admin.SendPinOverSmsAsync(new StartAuthenticationRequest { ApplicationId = app, MessageId = template, To = to });
        Assert.True((await admin.VerifyPinAsync(sent.PinId, await _server.Deliveries.WaitForPinAsync(to))).Verified);

        IReadOnlyList<AuditEntryResponse> audit = await admin.GetAuditTrailAsync(new AuditQuery(From: start, Limit: 50));
        AnalyticsResponse analytics = await admin.GetAnalyticsAsync(app, from: start, to: DateTimeOffset.UtcNow.AddSeconds(1));
        HistoryResponse masked = await admin.GetDestinationHistoryAsync(app, to);
        HistoryResponse full = await admin.GetDestinationHistoryAsync(app, to, limit: 5, unmasked: true);

        Assert.Contains(audit, e => e.Action == "application.created" && e.TargetId == app);
        Assert.True(audit.Zip(audit.Skip(1)).All(p => p.First.At >= p.Second.At), "newest first");
        AuditEntryResponse oldest = audit[^1];
        IReadOnlyList<AuditEntryResponse> earlier = await admin.GetAuditTrailAsync(new AuditQuery(Before: oldest.Id, Limit: 5));
        Assert.All(earlier, e => Assert.True(e.At <= oldest.At && e.Id != oldest.Id));
        Assert.Equal(1, analytics.Totals.Sent);
        Assert.Equal(1, analytics.Totals.Verified);
        Assert.Equal(1.0, analytics.Totals.Conversion);
        Assert.True(masked.Masked);
        HistoryEntryResponse entry = Assert.Single(masked.Pins);
        Assert.Equal(sent.PinId, entry.PinId);
        Assert.Equal("VERIFIED", entry.Status);
        Assert.DoesNotContain(to, entry.Destination, StringComparison.Ordinal);
        Assert.False(full.Masked);
        Assert.Equal(to, Assert.Single(full.Pins).Destination);

        TimelineResponse timeline = await admin.GetTimelineAsync("hour", app);
        PinResponse story = await admin.GetPinAsync(sent.PinId);
        PinResponse storyInFull = await admin.GetPinAsync(sent.PinId, unmasked: true);
        Assert.Equal(("hour", 60, 60), (timeline.Range, timeline.StepSeconds, timeline.Buckets.Count));
        Assert.Equal(1, timeline.Buckets.Sum(b => b.Sent));
        Assert.Equal(1, timeline.Buckets.Sum(b => b.Verified));
        Assert.Equal("VERIFIED", story.Status);
        Assert.Equal("VERIFIED", Assert.Single(story.Verifications).Outcome);
        Assert.DoesNotContain(to, story.To, StringComparison.Ordinal);
        Assert.Equal(to, storyInFull.To);
    }
}
