using System.Collections.Concurrent;
using OpenTfa.Delivery.Smpp.Pdus;
using OpenTfa.Delivery.Smpp.Receipts;

namespace OpenTfa.Delivery.Smpp.Tests.Integration;

/// <summary>The client against the node-smpp SMSC simulator, over real TCP on 127.0.0.1.</summary>
[Collection(SmscCollection.Name)]
public sealed class SmppClientIntegrationTests(SmscFixture fixture) : IAsyncLifetime
{
    private readonly List<SmppClient> _clients = [];
    private readonly ListLogger<SmppClient> _logger = new();

    private SmscProcess Smsc => fixture.Smsc;

    public Task InitializeAsync() => Smsc.ResetAsync();

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }

    private static SmppConnectionOptions Options(int port, Action<SmppConnectionOptions>? configure = null)
    {
        var options = new SmppConnectionOptions
        {
            Host = "127.0.0.1",
            Port = port,
            SystemId = SmscProcess.SystemId,
            Password = SmscProcess.Password,
            ResponseTimeout = TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            ThrottleRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxMessagesPerSecond = 0,
        };
        configure?.Invoke(options);
        return options;
    }

    private async Task<SmppClient> StartBoundAsync(SmppConnectionOptions options)
    {
        var client = new SmppClient(options, TimeProvider.System, _logger);
        _clients.Add(client);
        await client.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => client.BoundSessions == client.SessionCount, TimeSpan.FromSeconds(30), () => "every session bound");
        return client;
    }

    private Task<SmppClient> StartBoundAsync(Action<SmppConnectionOptions>? configure = null) =>
        StartBoundAsync(Options(Smsc.Port, configure));

    private static SmppMessage Message(string destination, string text, string source = "OpenTfa") =>
        new() { Source = source, Destination = destination, Text = text };

    private async Task<List<SmscMessage>> MessagesTo(string destination) =>
        (await Smsc.GetMessagesAsync()).Where(m => m.DestinationAddr == destination).ToList();

    private static string Reassemble(IEnumerable<SmscMessage> segments) =>
        string.Concat(segments.OrderBy(m => m.Udh!.Seq).Select(m => m.Text));

    [Fact]
    public async Task Submit_AlphanumericSender_ArrivesWithTonNpiAndGsmCoding()
    {
        var client = await StartBoundAsync();

        var result = await client.SubmitAsync(Message("41790000101", "Your PIN is 918273"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        var sent = Assert.Single(await MessagesTo("41790000101"));
        Assert.Equal(sent.MessageId, result.MessageId);
        Assert.Equal(("OpenTfa", 5, 0), (sent.SourceAddr, sent.SourceAddrTon, sent.SourceAddrNpi));
        Assert.Equal((1, 1), (sent.DestAddrTon, sent.DestAddrNpi));
        Assert.Equal((0, 0, 1), (sent.DataCoding, sent.EsmClass, sent.RegisteredDelivery));
        Assert.Equal(Convert.ToHexStringLower("Your PIN is 918273"u8), sent.ShortMessage);
        Assert.Equal(SmscProcess.SystemId, sent.SystemId);
        Assert.DoesNotContain(_logger.Lines, l => l.Contains("918273", StringComparison.Ordinal) || l.Contains("41790000101", StringComparison.Ordinal));
        Assert.Contains(_logger.Lines, l => l.Contains("*******0101", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_NumericSenders_GetInternationalOrShortCodeTonNpi()
    {
        var client = await StartBoundAsync();

        var international = await client.SubmitAsync(Message("41790000201", "a", source: "+41791112233"), CancellationToken.None);
        var shortCode = await client.SubmitAsync(Message("+41790000202", "b", source: "12345"), CancellationToken.None);

        Assert.True(international.Succeeded && shortCode.Succeeded);
        var first = Assert.Single(await MessagesTo("41790000201"));
        var second = Assert.Single(await MessagesTo("41790000202"));
        Assert.Equal(("41791112233", 1, 1), (first.SourceAddr, first.SourceAddrTon, first.SourceAddrNpi));
        Assert.Equal(("12345", 3, 0), (second.SourceAddr, second.SourceAddrTon, second.SourceAddrNpi));
    }

    [Fact]
    public async Task Submit_OverriddenTonNpi_AreSentAsConfigured()
    {
        var client = await StartBoundAsync(o => (o.SourceTon, o.SourceNpi, o.DestTon, o.DestNpi) = (2, 8, 0, 9));

        var result = await client.SubmitAsync(Message("41790000301", "x"), CancellationToken.None);

        Assert.True(result.Succeeded);
        var sent = Assert.Single(await MessagesTo("41790000301"));
        Assert.Equal((2, 8, 0, 9), (sent.SourceAddrTon, sent.SourceAddrNpi, sent.DestAddrTon, sent.DestAddrNpi));
    }

    [Fact]
    public async Task Submit_300CharacterGsmText_IsReassembledAtSmsc()
    {
        var client = await StartBoundAsync();
        var text = string.Concat(Enumerable.Repeat("PIN {4711} costs 5€ [ok] ", 13))[..300];

        var result = await client.SubmitAsync(Message("41790000401", text), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        var segments = await MessagesTo("41790000401");
        Assert.Equal(segments.Count, result.MessageIds.Count);
        Assert.True(segments.Count >= 2);
        Assert.All(segments, s => Assert.Equal((0, 0x40, segments.Count), (s.DataCoding, s.EsmClass & 0x40, s.Udh!.Total!.Value)));
        Assert.Single(segments.Select(s => s.Udh!.Reference).Distinct());
        Assert.Equal(text, Reassemble(segments));
        Assert.Equal(result.MessageIds, segments.OrderBy(s => s.Udh!.Seq).Select(s => s.MessageId));
    }

    [Fact]
    public async Task Submit_100CharacterUcs2Text_IsReassembledAtSmsc()
    {
        var client = await StartBoundAsync();
        var text = string.Concat(Enumerable.Repeat("Ваш код 4711 😀 ", 8))[..100];

        var result = await client.SubmitAsync(Message("41790000501", text), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        var segments = await MessagesTo("41790000501");
        Assert.Equal(2, segments.Count);
        Assert.All(segments, s => Assert.Equal((8, 0x40), (s.DataCoding, s.EsmClass & 0x40)));
        Assert.Equal(text, Reassemble(segments));
    }

    [Fact]
    public async Task Receipt_AfterSubmit_IsRaisedAndParsed()
    {
        var receipts = new ConcurrentQueue<SmppDeliveryReceipt>();
        var client = await StartBoundAsync();
        client.DeliveryReceiptReceived += r =>
        {
            receipts.Enqueue(r);
            return Task.CompletedTask;
        };

        var result = await client.SubmitAsync(Message("41790000601", "Your PIN is 5555"), CancellationToken.None);

        Assert.True(result.Succeeded);
        await Poll.UntilAsync(() => receipts.Any(r => r.MessageId == result.MessageId), TimeSpan.FromSeconds(30), () => "the receipt for the submitted message");
        var receipt = receipts.Single(r => r.MessageId == result.MessageId);
        Assert.Equal(SmppMessageState.Delivered, receipt.State);
        Assert.Equal("DELIVRD", receipt.Stat);
        Assert.Equal("000", receipt.ErrorCode);
        Assert.Equal("41790000601", receipt.Recipient);
        Assert.Equal("OpenTfa", receipt.Sender);
        Assert.NotNull(receipt.DoneDate);
        Assert.True(receipt.IsFinal);
    }

    [Fact]
    public async Task Receipt_BeforeSubmitResp_IsRaisedAndSubmitSucceeds()
    {
        await Smsc.SetModeAsync(new { receiptBeforeResp = true, receiptStat = "UNDELIV" });
        var receipts = new ConcurrentQueue<SmppDeliveryReceipt>();
        var client = await StartBoundAsync();
        client.DeliveryReceiptReceived += r =>
        {
            receipts.Enqueue(r);
            return Task.CompletedTask;
        };

        var result = await client.SubmitAsync(Message("41790000701", "x"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        await Poll.UntilAsync(() => receipts.Any(r => r.MessageId == result.MessageId), TimeSpan.FromSeconds(30), () => "the early receipt");
        Assert.Equal(SmppMessageState.Undeliverable, receipts.Single(r => r.MessageId == result.MessageId).State);
    }

    [Fact]
    public async Task Submit_ThrottledThreeTimes_IsRetriedAndDelivered()
    {
        await Smsc.SetModeAsync(new { throttle = 3 });
        var client = await StartBoundAsync(o => o.MaxThrottleRetries = 5);

        var result = await client.SubmitAsync(Message("41790000801", "x"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Single(await MessagesTo("41790000801"));
        Assert.Equal(3, _logger.Lines.Count(l => l.Contains("ESME_RTHROTTLED, pausing", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Submit_QueueFullTooOften_IsTemporaryFailure()
    {
        await Smsc.SetModeAsync(new { queueFull = 10 });
        var client = await StartBoundAsync(o => o.MaxThrottleRetries = 2);

        var result = await client.SubmitAsync(Message("41790000901", "x"), CancellationToken.None);

        Assert.Equal(SmppFailureKind.Temporary, result.FailureKind);
        Assert.Equal((SmppCommandStatus.ESME_RMSGQFUL, "ESME_RMSGQFUL"), (result.CommandStatus, result.StatusName));
        Assert.Empty(await MessagesTo("41790000901"));
    }

    [Theory]
    [InlineData(0x0B, "ESME_RINVDSTADR", SmppFailureKind.Permanent)]
    [InlineData(0x0A, "ESME_RINVSRCADR", SmppFailureKind.Permanent)]
    [InlineData(0x08, "ESME_RSYSERR", SmppFailureKind.Temporary)]
    public async Task Submit_SmscRefuses_MapsStatusToFailureKind(int status, string name, SmppFailureKind kind)
    {
        await Smsc.SetModeAsync(new { submitStatus = status });
        var client = await StartBoundAsync();

        var result = await client.SubmitAsync(Message("41790001001", "x"), CancellationToken.None);

        Assert.Equal(kind, result.FailureKind);
        Assert.Equal(((uint)status, name), (result.CommandStatus, result.StatusName));
        Assert.Null(result.MessageId);
    }

    [Fact]
    public async Task Submit_ManyConcurrentOnTwoBinds_AllAccepted()
    {
        var client = await StartBoundAsync(o => (o.Binds, o.WindowSize, o.MaxMessagesPerSecond) = (2, 2, 200));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.SubmitAsync(Message($"4179100{i:0000}", $"m{i}"), CancellationToken.None)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Detail));
        Assert.Equal(20, results.Select(r => r.MessageId).Distinct().Count());
        var sessions = (await Smsc.GetMessagesAsync()).Where(m => m.DestinationAddr.StartsWith("4179100", StringComparison.Ordinal)).Select(m => m.SystemId).ToList();
        Assert.Equal(20, sessions.Count);
        Assert.Equal(2, (await Smsc.GetBindsAsync()).Count(b => b.CommandStatus == 0));
    }

    [Fact]
    public async Task WrongPassword_LastErrorNamesStatus_AndClientKeepsRetrying()
    {
        var client = new SmppClient(Options(Smsc.Port, o => o.Password = "wrong"), TimeProvider.System, _logger);
        _clients.Add(client);

        await client.StartAsync(CancellationToken.None);

        await Poll.UntilAsync(async () => (await Smsc.GetBindsAsync()).Count(b => b.CommandStatus == 0x0E) >= 3, TimeSpan.FromSeconds(30), () => "three refused binds");
        Assert.Equal("ESME_RINVPASWD", client.LastError?.StatusName);
        Assert.Equal(SmppCommandStatus.ESME_RINVPASWD, client.LastError?.CommandStatus);
        Assert.Contains("ESME_RINVPASWD", client.LastError?.Message, StringComparison.Ordinal);
        Assert.Equal(SmppClientState.Connecting, client.State);
        Assert.Contains(_logger.Lines, l => l.StartsWith("Error:", StringComparison.Ordinal) && l.Contains("ESME_RINVPASWD", StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Lines, l => l.Contains("wrong", StringComparison.Ordinal));

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var result = await client.SubmitAsync(Message("41790001201", "x"), deadline.Token);
        Assert.Equal((SmppFailureKind.Temporary, SmppFailureReasons.NoLink), (result.FailureKind, result.StatusName));
    }

    [Fact]
    public async Task StopAsync_SendsUnbind_AndLaterSubmitsFailTemporarily()
    {
        var client = await StartBoundAsync();

        await client.StopAsync(CancellationToken.None);

        var unbind = Assert.Single(await Smsc.GetUnbindsAsync());
        Assert.Equal(SmscProcess.SystemId, unbind.SystemId);
        Assert.Equal(SmppClientState.Stopped, client.State);
        var result = await client.SubmitAsync(Message("41790001301", "x"), CancellationToken.None);
        Assert.Equal((SmppFailureKind.Temporary, SmppFailureReasons.ClientStopped), (result.FailureKind, result.StatusName));
    }

    [Fact]
    public async Task SmscEnquireLink_IsAnswered()
    {
        await StartBoundAsync();

        var responses = await Smsc.ProbeEnquireLinkAsync();

        var response = Assert.Single(responses);
        Assert.Equal(("enquire_link_resp", 0), (response.Command, response.CommandStatus));
    }

    [Fact]
    public async Task SmscUnknownCommand_IsAnsweredWithGenericNack()
    {
        await StartBoundAsync();

        var responses = await Smsc.ProbeUnknownCommandAsync();

        var response = Assert.Single(responses);
        Assert.Equal(("generic_nack", (int)SmppCommandStatus.ESME_RINVCMDID), (response.Command, response.CommandStatus));
    }

    [Fact]
    public async Task MobileOriginatedMessage_IsAnsweredAndRaised()
    {
        var received = new ConcurrentQueue<SmppInboundMessage>();
        var client = await StartBoundAsync();
        client.MessageReceived += m =>
        {
            received.Enqueue(m);
            return Task.CompletedTask;
        };

        var answer = await Smsc.SendMobileOriginatedAsync("41795556677", "12345", "STOP {now}");

        Assert.Equal(0, answer.CommandStatus);
        await Poll.UntilAsync(() => !received.IsEmpty, TimeSpan.FromSeconds(30), () => "the mobile-originated message");
        var message = Assert.Single(received);
        Assert.Equal(("41795556677", "12345", "STOP {now}"), (message.Source, message.Destination, message.Text));
    }

    [Fact]
    public async Task TransmitterAndReceiverMode_BindsBoth_AndReceiptArrivesOnReceiver()
    {
        var receipts = new ConcurrentQueue<SmppDeliveryReceipt>();
        var client = await StartBoundAsync(o => o.BindMode = SmppBindMode.TransmitterAndReceiver);
        client.DeliveryReceiptReceived += r =>
        {
            receipts.Enqueue(r);
            return Task.CompletedTask;
        };

        var result = await client.SubmitAsync(Message("41790001601", "x"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Detail);
        var binds = await Smsc.GetBindsAsync();
        Assert.Equal(["bind_receiver", "bind_transmitter"], binds.Select(b => b.Command).Order());
        await Poll.UntilAsync(() => receipts.Any(r => r.MessageId == result.MessageId), TimeSpan.FromSeconds(30), () => "the receipt over the receiver session");
    }

    [Fact]
    public async Task SilentSmsc_EnquireLinkTimesOut_AndClientReconnects()
    {
        var client = await StartBoundAsync(o => (o.EnquireLinkInterval, o.ResponseTimeout) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)));

        await Smsc.SetModeAsync(new { silent = true });
        await Poll.UntilAsync(() => client.LastError?.Message.Contains("enquire_link_resp", StringComparison.Ordinal) == true, TimeSpan.FromSeconds(30), () => "the dead link detected");
        await Smsc.SetModeAsync(new { silent = false });

        await Poll.UntilAsync(async () => (await Smsc.GetBindsAsync()).Count(b => b.CommandStatus == 0) >= 2, TimeSpan.FromSeconds(30), () => "a second bind");
        await Poll.UntilAsync(() => client.IsBound, TimeSpan.FromSeconds(30), () => "bound again");
        var result = await client.SubmitAsync(Message("41790001701", "x"), CancellationToken.None);
        Assert.True(result.Succeeded, result.Detail);
    }

    [Fact]
    public async Task SmscKilledAndRestarted_ClientReconnectsAndSubmitsAgain()
    {
        var own = await SmscProcess.StartAsync();
        SmscProcess? restarted = null;
        try
        {
            var client = await StartBoundAsync(Options(own.Port));
            Assert.True((await client.SubmitAsync(Message("41790001801", "before"), CancellationToken.None)).Succeeded);

            var port = own.Port;
            await own.KillAsync();
            await Poll.UntilAsync(() => !client.IsBound, TimeSpan.FromSeconds(30), () => "the link loss noticed");
            // The session stops counting as bound a moment before its loop logs why.
            await Poll.UntilAsync(() => _logger.Lines.Any(l => l.Contains("link lost", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), () => "the link loss logged");

            restarted = await SmscProcess.StartAsync(port);
            await Poll.UntilAsync(() => client.IsBound, TimeSpan.FromSeconds(30), () => "bound to the restarted SMSC");
            var result = await client.SubmitAsync(Message("41790001802", "after"), CancellationToken.None);

            Assert.True(result.Succeeded, result.Detail);
            Assert.Single(await restarted.GetMessagesAsync(), m => m.DestinationAddr == "41790001802");
        }
        finally
        {
            await own.DisposeAsync();
            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Submit_SmscNeverAnswers_IsTemporaryResponseTimeout()
    {
        var client = await StartBoundAsync(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(300));
        await Smsc.SetModeAsync(new { silent = true });

        var result = await client.SubmitAsync(Message("41790001901", "x"), CancellationToken.None);

        Assert.Equal((SmppFailureKind.Temporary, SmppFailureReasons.ResponseTimeout), (result.FailureKind, result.StatusName));
        Assert.Null(result.CommandStatus);
    }

    [Fact]
    public async Task Submit_InvalidDestination_IsPermanentWithoutContactingSmsc()
    {
        var client = await StartBoundAsync();

        var result = await client.SubmitAsync(Message("41-79-abc", "x"), CancellationToken.None);

        Assert.Equal((SmppFailureKind.Permanent, SmppFailureReasons.InvalidDestination), (result.FailureKind, result.StatusName));
        Assert.Empty(await Smsc.GetMessagesAsync());
    }
}
