using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Receipts;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// An SMS channel over one SMPP account: one <see cref="SmppClient"/> (with its binds), started
/// before the dispatcher and stopped after it. Delivery receipts become the message's outbox
/// state through <see cref="DeliveryReports"/>. A long message whose later segments failed for now continues, on the retry, with the
/// segments the SMSC has not accepted yet, so that no segment goes out twice.
/// </summary>
public sealed class SmppSmsChannel : IMessageChannel, IHostedService, IChannelStatus, IAsyncDisposable
{
    public const string Type = "smpp";

    private static readonly TimeSpan PartialKeep = TimeSpan.FromDays(1);
    private static readonly TimeSpan ReceiptKeep = TimeSpan.FromDays(3);

    private readonly SmppChannelOptions _options;
    private readonly DeliveryReports _reports;
    private readonly TimeProvider _time;
    private readonly ILogger<SmppSmsChannel> _logger;
    private readonly SmppClient _client;
    private readonly ReceiptMatcher _receipts;
    private readonly ConcurrentDictionary<string, Partial> _partials = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _sweeper = Task.CompletedTask;
    private Task? _stopTask;

    public SmppSmsChannel(string name, SmppChannelOptions options, DeliveryReports reports, TimeProvider time, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Name = name;
        _options = options;
        _reports = reports;
        _time = time;
        _logger = loggerFactory.CreateLogger<SmppSmsChannel>();
        _client = new SmppClient(options.Connection, time, loggerFactory.CreateLogger<SmppClient>());
        _client.DeliveryReceiptReceived += OnReceiptAsync;

        // A receipt can overtake the answer to its submit by as long as a send may last.
        _receipts = new ReceiptMatcher(options.LinkWaitTimeout + options.Connection.ResponseTimeout + TimeSpan.FromSeconds(5), ReceiptKeep);
    }

    public string Name { get; }

    /// <summary>The SMPP client behind the channel, for health reports.</summary>
    public SmppClient Client => _client;

    public bool Supports(ChannelKind kind) => kind == ChannelKind.Sms;

    public async Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind != ChannelKind.Sms)
        {
            return DeliveryResult.Permanent($"the SMPP channel '{Name}' carries SMS only, not {message.Kind}");
        }

        var submission = TakePartial(message) ?? new SmppSubmission(new SmppMessage
        {
            Source = (string.IsNullOrEmpty(message.From) ? _options.DefaultSender : message.From) ?? string.Empty,
            Destination = message.To,
            Text = message.Content.Text,
        });

        SmppSubmitResult result;
        using (var linkWait = new CancellationTokenSource(_options.LinkWaitTimeout, _time))
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, linkWait.Token))
        {
            result = await _client.SubmitAsync(submission, deadline.Token).ConfigureAwait(false);
        }

        if (result.Succeeded)
        {
            if (_receipts.Accepted(result.MessageIds, _time.GetUtcNow()) is { } early)
            {
                await RecordAsync(early).ConfigureAwait(false);
            }

            return DeliveryResult.Accepted(result.MessageId);
        }

        var error = Describe(result);
        if (result.FailureKind == SmppFailureKind.Permanent)
        {
            return DeliveryResult.Permanent(error);
        }

        if (result.MessageIds.Count > 0)
        {
            _partials[message.Id] = new Partial(submission, message.To, message.Content.Text, _time.GetUtcNow());
            Log.PartiallySubmitted(_logger, Name, result.MessageIds.Count, result.Segments);
        }

        return DeliveryResult.Temporary(error);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _client.StartAsync(cancellationToken).ConfigureAwait(false);
        _sweeper = Task.Run(SweepAsync, CancellationToken.None);
    }

    /// <summary>Unbinds, records the receipts still arriving or held, and stops. Safe to call more than once.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_stopping)
        {
            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    public ChannelStatusReport GetStatus()
    {
        var error = _client.LastError;
        return new ChannelStatusReport(
            _client.State.ToString().ToUpperInvariant(),
            _client.SessionCount,
            _client.BoundSessions,
            error is null ? null : new ChannelError(error.At, error.Message, error.StatusName));
    }

    /// <summary>The error text stored with the message: the SMPP status or local reason, and why.</summary>
    private string Describe(SmppSubmitResult result)
    {
        var text = result.StatusName == SmppFailureReasons.NoLink
            ? $"{SmppFailureReasons.NoLink}: no bound SMPP session with room within {_options.LinkWaitTimeout.TotalSeconds:0.###} s" +
              (_client.LastError is { } last ? $"; last connection error: {last.Message}" : string.Empty)
            : $"{result.StatusName}: {result.Detail}";
        return result.MessageIds.Count > 0 && result.FailureKind == SmppFailureKind.Temporary
            ? $"{text} ({result.MessageIds.Count} of {result.Segments} segments accepted; the rest follow on the retry)"
            : text;
    }

    private SmppSubmission? TakePartial(OutgoingMessage message)
    {
        var now = _time.GetUtcNow();
        foreach (var (id, old) in _partials)
        {
            if (now - old.At > PartialKeep)
            {
                _partials.TryRemove(id, out _);
            }
        }

        // The same outbox message carries the same text; anything else starts afresh.
        return _partials.TryRemove(message.Id, out var partial) && partial.To == message.To && partial.Text == message.Content.Text
            ? partial.Submission
            : null;
    }

    private async Task OnReceiptAsync(SmppDeliveryReceipt receipt)
    {
        if (receipt.State is SmppMessageState.Enroute or SmppMessageState.Accepted || string.IsNullOrEmpty(receipt.MessageId))
        {
            Log.ReceiptIgnored(_logger, Name, receipt.MessageId, receipt.State);
            return;
        }

        var ok = receipt.State == SmppMessageState.Delivered;
        var outcome = new ReceiptOutcome(ok, ok ? null : FailureText(receipt), DoneAt(receipt), receipt.ReceivedAt);
        if (_receipts.Received(receipt.MessageId, outcome) is { } report)
        {
            await RecordAsync(report).ConfigureAwait(false);
        }
    }

    /// <summary>UNDELIV err:123, EXPIRED, REJECTD …: the receipt's state and, when it says more, its error code.</summary>
    private static string FailureText(SmppDeliveryReceipt receipt)
    {
        var stat = receipt.State switch
        {
            SmppMessageState.Expired => "EXPIRED",
            SmppMessageState.Deleted => "DELETED",
            SmppMessageState.Undeliverable => "UNDELIV",
            SmppMessageState.Rejected => "REJECTD",
            _ => "UNKNOWN",
        };
        var err = receipt.ErrorCode?.Trim();
        var text = !string.IsNullOrEmpty(err) && (receipt.State == SmppMessageState.Undeliverable || err.Any(c => c != '0'))
            ? $"{stat} err:{err}"
            : stat;
        return receipt.NetworkError is { } network ? $"{text} network:{network.NetworkType}/{network.ErrorCode}" : text;
    }

    // The SMSC's clock and time zone are its own: its done date is used only when it has seconds
    // (a PIN's delivery within its minute is what matters) and is within a day of ours; otherwise
    // the receipt's arrival stands for it.
    private static DateTimeOffset? DoneAt(SmppDeliveryReceipt receipt)
    {
        if (receipt.DoneDate is not { } done || !receipt.DoneDateHasSeconds)
        {
            return null;
        }

        var at = new DateTimeOffset(DateTime.SpecifyKind(done, DateTimeKind.Utc));
        return (at - receipt.ReceivedAt).Duration() <= TimeSpan.FromDays(1) ? at : null;
    }

    private async Task RecordAsync(DeliveryReport report)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _reports.RecordAsync(Name, report, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt < 3)
            {
                Log.ReceiptRecordRetry(_logger, Name, report.ChannelMessageId, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), _time).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.ReceiptNotRecorded(_logger, Name, report.ChannelMessageId, report.State, e);
                return;
            }
        }
    }

    /// <summary>Passes on receipts that no submission of this node claimed in time.</summary>
    private async Task SweepAsync()
    {
        var period = _receipts.Hold / 4 < TimeSpan.FromSeconds(1) ? _receipts.Hold / 4 : TimeSpan.FromSeconds(1);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            foreach (var report in _receipts.Expire(_time.GetUtcNow()))
            {
                await RecordAsync(report).ConfigureAwait(false);
            }
        }
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        // Disposing the client waits for the receipts it already acknowledged to be handled.
        await _client.StopAsync(cancellationToken).ConfigureAwait(false);
        await _client.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _sweeper.ConfigureAwait(false);
        foreach (var report in _receipts.Expire(_time.GetUtcNow(), all: true))
        {
            await RecordAsync(report).ConfigureAwait(false);
        }
    }

    private sealed record Partial(SmppSubmission Submission, string To, string Text, DateTimeOffset At);
}
