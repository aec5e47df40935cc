using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Channels;
using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.Delivery.Smpp.Tests.Channels;

/// <summary>The SMS channel against the node-smpp SMSC simulator, with the outbox states it reports recorded.</summary>
[Collection(SmscCollection.Name)]
public sealed class SmppSmsChannelTests(SmscFixture fixture) : IAsyncLifetime
{
    private readonly List<SmppSmsChannel> _channels = [];
    private readonly RecordingOutboxStore _store = new();

    private SmscProcess Smsc => fixture.Smsc;

    public Task InitializeAsync() => Smsc.ResetAsync();

    public async Task DisposeAsync()
    {
        foreach (var channel in _channels)
        {
            await channel.DisposeAsync();
        }
    }

    private async Task<SmppSmsChannel> StartAsync(Action<SmppChannelOptions>? configure = null, bool waitForBind = true)
    {
        var options = new SmppChannelOptions
        {
            Connection = new SmppConnectionOptions
            {
                Host = "127.0.0.1",
                Port = Smsc.Port,
                SystemId = SmscProcess.SystemId,
                Password = SmscProcess.Password,
                ResponseTimeout = TimeSpan.FromSeconds(5),
                ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
                ThrottleRetryDelay = TimeSpan.FromMilliseconds(20),
                MaxMessagesPerSecond = 0,
            },
            LinkWaitTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var channel = new SmppSmsChannel("carrier", options, _store.Reports(), TimeProvider.System, NullLoggerFactory.Instance);
        _channels.Add(channel);
        await channel.StartAsync(CancellationToken.None);
        if (waitForBind)
        {
            await Poll.UntilAsync(() => channel.Client.IsBound, TimeSpan.FromSeconds(30), () => "the channel bound");
        }

        return channel;
    }

    private static OutgoingMessage Sms(string to, string text, string? from = "OpenTfa", string id = "M1") =>
        new(id, "P1", ChannelKind.Sms, to, from, new MessageContent(text), 1);

    private async Task<List<SmscMessage>> MessagesTo(string destination) =>
        (await Smsc.GetMessagesAsync()).Where(m => m.DestinationAddr == destination).ToList();

    [Fact]
    public async Task Send_Accepted_ReturnsTheSmscMessageId_AndTheStatusShowsTheBoundSession()
    {
        var channel = await StartAsync();

        var result = await channel.SendAsync(Sms("41790100001", "Your PIN is 1234"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        var sent = Assert.Single(await MessagesTo("41790100001"));
        Assert.Equal(sent.MessageId, result.ChannelMessageId);
        Assert.Equal(("OpenTfa", "Your PIN is 1234"), (sent.SourceAddr, sent.Text));
        var status = channel.GetStatus();
        Assert.Equal(("BOUND", 1, 1), (status.State, status.Sessions, status.BoundSessions));
    }

    [Fact]
    public async Task Send_WithoutSender_UsesTheChannelsDefaultSender()
    {
        var channel = await StartAsync(o => o.DefaultSender = "Acme");

        await channel.SendAsync(Sms("41790100101", "x", from: null), CancellationToken.None);

        Assert.Equal("Acme", Assert.Single(await MessagesTo("41790100101")).SourceAddr);
    }

    [Fact]
    public async Task Send_VoiceMessage_IsRefusedForGood()
    {
        var channel = await StartAsync(waitForBind: false);

        var result = await channel.SendAsync(Sms("41790100201", "x") with { Kind = ChannelKind.Voice }, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, result.Outcome);
    }

    [Fact]
    public async Task Receipt_Delivered_IsRecordedUnderTheSmscId()
    {
        var channel = await StartAsync();
        var before = DateTimeOffset.UtcNow;

        var result = await channel.SendAsync(Sms("41790100301", "Your PIN is 1234"), CancellationToken.None);

        await Poll.UntilAsync(() => !_store.Deliveries.IsEmpty, TimeSpan.FromSeconds(30), () => "the receipt recorded");
        var recorded = Assert.Single(_store.Deliveries);
        Assert.Equal(("carrier", result.ChannelMessageId, MessageState.Delivered, (string?)null), (recorded.Channel, recorded.ChannelMessageId, recorded.State, recorded.Error));
        Assert.InRange(recorded.At, before, DateTimeOffset.UtcNow);
    }

    [Theory]
    [InlineData("UNDELIV", "UNDELIV err:000")]
    [InlineData("EXPIRED", "EXPIRED")]
    [InlineData("REJECTD", "REJECTD")]
    public async Task Receipt_Failure_IsRecordedAsFailedWithItsState(string stat, string error)
    {
        await Smsc.SetModeAsync(new { receiptStat = stat });
        var channel = await StartAsync();

        var result = await channel.SendAsync(Sms("41790100401", "x"), CancellationToken.None);

        await Poll.UntilAsync(() => !_store.Deliveries.IsEmpty, TimeSpan.FromSeconds(30), () => "the receipt recorded");
        var recorded = Assert.Single(_store.Deliveries);
        Assert.Equal((result.ChannelMessageId, MessageState.Failed, error), (recorded.ChannelMessageId, recorded.State, recorded.Error));
    }

    [Theory]
    [InlineData("ENROUTE")]
    [InlineData("ACCEPTD")]
    public async Task Receipt_Intermediate_IsIgnored(string stat)
    {
        await Smsc.SetModeAsync(new { receiptStat = stat });
        var channel = await StartAsync();

        await channel.SendAsync(Sms("41790100501", "x"), CancellationToken.None);
        await Poll.UntilAsync(async () => (await Smsc.GetDeliveredAsync()).Count > 0, TimeSpan.FromSeconds(30), () => "the receipt answered");
        await channel.StopAsync(CancellationToken.None);

        Assert.Empty(_store.Deliveries);
    }

    [Fact]
    public async Task Receipt_BeforeTheSubmitResponse_IsRecordedOnce()
    {
        await Smsc.SetModeAsync(new { receiptBeforeResp = true });
        var channel = await StartAsync();

        var result = await channel.SendAsync(Sms("41790100601", "x"), CancellationToken.None);

        await Poll.UntilAsync(() => !_store.Deliveries.IsEmpty, TimeSpan.FromSeconds(30), () => "the receipt recorded");
        var recorded = Assert.Single(_store.Deliveries);
        Assert.Equal((result.ChannelMessageId, MessageState.Delivered), (recorded.ChannelMessageId, recorded.State));
    }

    [Fact]
    public async Task LongMessage_ReceiptsOfEverySegment_RecordOneDeliveryUnderTheFirstId()
    {
        var channel = await StartAsync();
        var text = string.Concat(Enumerable.Repeat("Your PIN is 4711. ", 20));

        var result = await channel.SendAsync(Sms("41790100701", text), CancellationToken.None);

        var segments = await MessagesTo("41790100701");
        Assert.Equal(3, segments.Count);
        await Poll.UntilAsync(async () => (await Smsc.GetDeliveredAsync()).Count(d => d.Kind == "receipt") == 3, TimeSpan.FromSeconds(30), () => "three receipts answered");
        await Poll.UntilAsync(() => !_store.Deliveries.IsEmpty, TimeSpan.FromSeconds(30), () => "the receipt recorded");
        await channel.StopAsync(CancellationToken.None);
        var recorded = Assert.Single(_store.Deliveries);
        Assert.Equal((segments.OrderBy(s => s.Udh!.Seq).First().MessageId, MessageState.Delivered), (recorded.ChannelMessageId, recorded.State));
    }

    [Fact]
    public async Task LongMessage_LaterSegmentFailsForNow_TheRetrySendsOnlyTheRest()
    {
        var channel = await StartAsync();
        var text = string.Concat(Enumerable.Repeat("Your PIN is 4711. ", 20));
        await Smsc.SetModeAsync(new { submitStatus = 0x08, acceptBeforeStatus = 1 });

        var first = await channel.SendAsync(Sms("41790100801", text, id: "M-long"), CancellationToken.None);
        await Smsc.SetModeAsync(new { submitStatus = 0 });
        var second = await channel.SendAsync(Sms("41790100801", text, id: "M-long") with { Attempt = 2 }, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, first.Outcome);
        Assert.StartsWith("ESME_RSYSERR", first.Error, StringComparison.Ordinal);
        Assert.Contains("1 of 3 segments accepted", first.Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryOutcome.Accepted, second.Outcome);
        var segments = (await MessagesTo("41790100801")).OrderBy(s => s.Udh!.Seq).ToList();
        Assert.Equal([1, 2, 3], segments.Select(s => s.Udh!.Seq!.Value));
        Assert.Single(segments.Select(s => s.Udh!.Reference).Distinct());
        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
        Assert.Equal(segments[0].MessageId, second.ChannelMessageId);
    }

    [Fact]
    public async Task Send_SmscRefusesForGood_IsPermanentWithTheStatusName()
    {
        await Smsc.SetModeAsync(new { submitStatus = 0x0B });
        var channel = await StartAsync();

        var result = await channel.SendAsync(Sms("41790100901", "x"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PermanentFailure, result.Outcome);
        Assert.StartsWith("ESME_RINVDSTADR: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WrongPassword_IsTemporaryWithTheBindError_AndTheStatusShowsIt()
    {
        var channel = await StartAsync(o => (o.Connection.Password, o.LinkWaitTimeout) = ("wrong", TimeSpan.FromMilliseconds(500)), waitForBind: false);
        await Poll.UntilAsync(() => channel.Client.LastError is not null, TimeSpan.FromSeconds(30), () => "the refused bind");

        var result = await channel.SendAsync(Sms("41790101001", "x"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.TemporaryFailure, result.Outcome);
        Assert.Equal("NO_LINK: no bound SMPP session with room within 0.5 s; last connection error: bind refused: ESME_RINVPASWD (0x0000000E)", result.Error);
        var status = channel.GetStatus();
        Assert.Equal(("CONNECTING", 0, "ESME_RINVPASWD"), (status.State, status.BoundSessions, status.LastError?.Code));
        Assert.Empty(await Smsc.GetMessagesAsync());
    }

    [Fact]
    public async Task Send_CallerDeadlinePassesAfterTheWrite_StillReportsTheAcceptance()
    {
        // The deadline leaves the write ample time on a loaded machine, and the answer comes well after it.
        await Smsc.SetModeAsync(new { respondDelayMs = 2000 });
        var channel = await StartAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var result = await channel.SendAsync(Sms("41790101101", "x"), deadline.Token);

        Assert.True(deadline.IsCancellationRequested);
        Assert.Equal(DeliveryOutcome.Accepted, result.Outcome);
        Assert.Equal(Assert.Single(await MessagesTo("41790101101")).MessageId, result.ChannelMessageId);
    }

    [Fact]
    public async Task Stop_Unbinds()
    {
        var channel = await StartAsync();

        await channel.StopAsync(CancellationToken.None);

        Assert.Single(await Smsc.GetUnbindsAsync());
        Assert.Equal("STOPPED", channel.GetStatus().State);
    }
}
