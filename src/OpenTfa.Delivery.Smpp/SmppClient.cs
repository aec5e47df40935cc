using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTfa.Delivery.Smpp.Encoding;
using OpenTfa.Delivery.Smpp.Pdus;
using OpenTfa.Delivery.Smpp.Receipts;

namespace OpenTfa.Delivery.Smpp;

/// <summary>
/// An SMPP 3.4 ESME for one account: keeps <see cref="SmppConnectionOptions.Binds"/> sessions
/// bound (reconnecting with exponential back-off, never throwing into the caller), submits
/// messages within a per-session window and a client-wide throughput cap, and raises
/// delivery receipts and mobile-originated messages.
/// Subscribe to the events before <see cref="StartAsync"/>; a client is started once.
/// </summary>
public sealed class SmppClient : IHostedService, IAsyncDisposable, ISmppSessionOwner
{
    private readonly SmppConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SmppClient> _logger;
    private readonly SmppRateLimiter _limiter;
    private readonly SessionSlot[] _slots;
    private readonly Channel<object> _inbound = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lifecycle = new();
    private TaskCompletionSource _capacity = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _dispatcher;
    private Task? _stopTask;
    private bool _started;
    private volatile bool _stopRequested;
    private volatile bool _stopped;
    private int _nextSlot;
    private int _reference;
    private SmppClientError? _lastError;

    public SmppClient(SmppConnectionOptions options, TimeProvider time, ILogger<SmppClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid SMPP settings: " + string.Join(" ", errors), nameof(options));
        }

        _options = options;
        _time = time;
        _logger = logger;
        _limiter = new SmppRateLimiter(options.MaxMessagesPerSecond, time);
        _reference = RandomNumberGenerator.GetInt32(256);

        var kinds = options.BindMode == SmppBindMode.Transceiver
            ? Enumerable.Repeat(SmppBindType.Transceiver, options.Binds)
            : Enumerable.Repeat(SmppBindType.Transmitter, options.Binds).Concat(Enumerable.Repeat(SmppBindType.Receiver, options.Binds));
        _slots = kinds.Select((kind, i) => new SessionSlot(
            string.Create(CultureInfo.InvariantCulture, $"{options.Host}:{options.Port}#{i + 1} {kind.ToString().ToLowerInvariant()}"),
            kind)).ToArray();
    }

    /// <summary>
    /// Raised for every deliver_sm that is a delivery receipt, after its deliver_sm_resp was sent,
    /// one at a time in arrival order. A receipt can come before the submit_sm_resp of its message
    /// has been read: it carries the SMSC's message id, and the consumer matches it.
    /// A handler that throws is logged and does not stop the next one.
    /// </summary>
    public event Func<SmppDeliveryReceipt, Task>? DeliveryReceiptReceived;

    /// <summary>Raised for every deliver_sm that is not a receipt (mobile-originated), after its deliver_sm_resp.</summary>
    public event Func<SmppInboundMessage, Task>? MessageReceived;

    public SmppClientState State
    {
        get
        {
            if (!_started || _stopped)
            {
                return SmppClientState.Stopped;
            }

            if (_stopRequested)
            {
                return SmppClientState.Stopping;
            }

            return _slots.Any(s => s.Session is { CanSubmit: true }) ? SmppClientState.Bound : SmppClientState.Connecting;
        }
    }

    /// <summary>At least one session that can submit is bound.</summary>
    public bool IsBound => State == SmppClientState.Bound;

    /// <summary>Sessions bound now, receivers included.</summary>
    public int BoundSessions => _slots.Count(s => s.Session is { IsBound: true });

    /// <summary>Sessions the client keeps: Binds, or twice that for TransmitterAndReceiver.</summary>
    public int SessionCount => _slots.Length;

    /// <summary>The most recent connection problem, kept after recovery; null if there was none.</summary>
    public SmppClientError? LastError => Volatile.Read(ref _lastError);

    /// <summary>Starts connecting in the background and returns at once; it never waits for a bind.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            if (_started)
            {
                throw new InvalidOperationException("The SMPP client was already started; create a new one.");
            }

            _started = true;
        }

        Log.Starting(_logger, _slots.Length, _options.Host, _options.Port, _options.SystemId, _options.BindMode);
        _dispatcher = Task.Run(DispatchInboundAsync, CancellationToken.None);
        foreach (var slot in _slots)
        {
            slot.Loop = Task.Run(() => RunSlotAsync(slot), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops reconnecting, lets submits in flight finish (up to ResponseTimeout), unbinds every
    /// session and waits for the unbind_resp. Cancelling the token closes the links at once.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lifecycle)
        {
            if (!_started)
            {
                return Task.CompletedTask;
            }

            _stopTask ??= StopCoreAsync(cancellationToken);
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _inbound.Writer.TryComplete();
        if (_dispatcher is not null)
        {
            await _dispatcher.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>
    /// Encodes, segments and submits the message, and waits for the SMSC's answer to every
    /// segment. Never throws for SMSC or link problems, nor when <paramref name="cancellationToken"/>
    /// (the caller's deadline) fires: those come back as a Temporary or Permanent failure.
    /// </summary>
    public Task<SmppSubmitResult> SubmitAsync(SmppMessage message, CancellationToken cancellationToken) =>
        SubmitAsync(new SmppSubmission(message), cancellationToken);

    /// <summary>
    /// Submits the segments of <paramref name="submission"/> that the SMSC has not accepted yet.
    /// <paramref name="cancellationToken"/> is the deadline for putting a segment on the wire
    /// (waiting for a bound session with window room, the throughput cap or a throttling pause);
    /// a segment once written is waited for until its answer or ResponseTimeout, even past the
    /// deadline, so that a segment the SMSC accepted is always reported as accepted.
    /// On failure the result holds the ids of every segment accepted so far; submitting the same
    /// <see cref="SmppSubmission"/> again continues with the next segment.
    /// </summary>
    public async Task<SmppSubmitResult> SubmitAsync(SmppSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var message = submission.Message;
        var masked = SmppAddressing.Mask(message.Destination);
        if (!submission.TryEnter())
        {
            throw new InvalidOperationException("This submission is already being submitted.");
        }

        try
        {
            if (submission.Encoded is null)
            {
                if (!SmppAddressing.TryGetSource(message.Source, _options, out var source))
                {
                    return Fail(masked, SmppFailureReasons.InvalidSource, SmppFailureKind.Permanent,
                        "the sender is neither a number of at most 20 digits nor an alphanumeric name of at most 11 printable ASCII characters");
                }

                if (!SmppAddressing.TryGetDestination(message.Destination, _options, out var destination))
                {
                    return Fail(masked, SmppFailureReasons.InvalidDestination, SmppFailureKind.Permanent,
                        "the destination must be 1 to 20 digits, optionally after '+'");
                }

                if (!SmsEncoder.TryEncode(message.Text ?? string.Empty, NextReference(), out var encoded))
                {
                    return Fail(masked, SmppFailureReasons.MessageTooLong, SmppFailureKind.Permanent,
                        $"the text needs more than {SmsEncoder.MaxSegments} segments");
                }

                submission.Prepare(source, destination, encoded);
            }

            var segments = submission.Encoded!.Segments;
            if (submission.AcceptedCount < segments.Count && (_stopRequested || !_started))
            {
                return SmppSubmitResult.Failure(SmppFailureKind.Temporary, null, SmppFailureReasons.ClientStopped, "the SMPP client is not running",
                    submission.AcceptedIds, segments.Count);
            }

            for (var i = submission.AcceptedCount; i < segments.Count; i++)
            {
                var outcome = await SubmitSegmentAsync(SegmentPdu(submission, i, message.RequestDeliveryReceipt), masked, cancellationToken).ConfigureAwait(false);
                if (outcome.Failure is { } failure)
                {
                    Log.SubmitFailed(_logger, masked, failure.FailureKind, failure.StatusName!, failure.Detail!);
                    return SmppSubmitResult.Failure(failure.FailureKind, failure.CommandStatus, failure.StatusName!, failure.Detail!, submission.AcceptedIds, segments.Count);
                }

                submission.Accept(outcome.MessageId!);
            }

            var ids = submission.AcceptedIds;
            Log.SubmitAccepted(_logger, masked, ids.Count, ids[0]);
            return SmppSubmitResult.Success(ids);
        }
        finally
        {
            submission.Exit();
        }
    }

    private SubmitSm SegmentPdu(SmppSubmission submission, int index, bool requestReceipt)
    {
        var encoded = submission.Encoded!;
        return new SubmitSm
        {
            SourceAddrTon = submission.Source.Ton,
            SourceAddrNpi = submission.Source.Npi,
            SourceAddr = submission.Source.Address,
            DestAddrTon = submission.Destination.Ton,
            DestAddrNpi = submission.Destination.Npi,
            DestinationAddr = submission.Destination.Address,
            EsmClass = encoded.HasUserDataHeader ? EsmClasses.UserDataHeaderIndicator : (byte)0,
            RegisteredDelivery = requestReceipt ? (byte)1 : (byte)0,
            DataCoding = encoded.DataCoding,
            ValidityPeriod = FormatRelativeValidity(_options.ValidityPeriod),
            ShortMessage = encoded.Segments[index],
        };
    }

    void ISmppSessionOwner.OnDeliverSm(SmppSession session, DeliverSm pdu)
    {
        try
        {
            var now = _time.GetUtcNow();
            if (pdu.IsDeliveryReceipt)
            {
                var receipt = SmppDeliveryReceipt.FromDeliverSm(pdu, now);
                Log.ReceiptReceived(_logger, session.Name, receipt.MessageId, receipt.State);
                _inbound.Writer.TryWrite(receipt);
            }
            else
            {
                var message = SmppInboundMessage.FromDeliverSm(pdu, now);
                Log.MessageReceived(_logger, session.Name, SmppAddressing.Mask(message.Source));
                _inbound.Writer.TryWrite(message);
            }
        }
        catch (Exception e)
        {
            Log.DeliverSmUnreadable(_logger, session.Name, e);
        }
    }

    void ISmppSessionOwner.OnCapacityChanged() =>
        Interlocked.Exchange(ref _capacity, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static string FormatRelativeValidity(TimeSpan? validity) =>
        validity is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"0000{v.Days:00}{v.Hours:00}{v.Minutes:00}{v.Seconds:00}000R")
            : string.Empty;

    private SmppSubmitResult Fail(string maskedDestination, string reason, SmppFailureKind kind, string detail)
    {
        Log.SubmitFailed(_logger, maskedDestination, kind, reason, detail);
        return SmppSubmitResult.Failure(kind, null, reason, detail);
    }

    private byte NextReference() => (byte)Interlocked.Increment(ref _reference);

    private async Task<SegmentOutcome> SubmitSegmentAsync(SubmitSm pdu, string maskedDestination, CancellationToken cancellationToken)
    {
        var throttled = 0;
        while (true)
        {
            var session = await AcquireSessionAsync(cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                return _stopRequested
                    ? SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.ClientStopped, "the SMPP client is stopping")
                    : SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.NoLink, "no bound SMPP session with room before the deadline");
            }

            SmppPdu response;
            try
            {
                await _limiter.AcquireAsync(cancellationToken).ConfigureAwait(false);
                // Once written, the answer is awaited whatever the caller's deadline: an accepted
                // segment reported as failed would be sent again by a retry.
                response = await session.RequestAsync(pdu, cancellationToken, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SmppNotSentException) when (!cancellationToken.IsCancellationRequested)
            {
                // That session closed before the PDU left; another one may take it.
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or SmppNotSentException)
            {
                return SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.Canceled, "the caller's deadline passed before the segment was sent");
            }
            catch (SmppResponseTimeoutException e)
            {
                return SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.ResponseTimeout, e.Message);
            }
            catch (SmppConnectionLostException e)
            {
                return SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.ConnectionLost, e.Message);
            }
            catch (SmppProtocolException e)
            {
                return SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.ProtocolError, e.Message);
            }
            finally
            {
                session.ReleaseWindow();
            }

            var status = response.CommandStatus;
            if (status == SmppCommandStatus.ESME_ROK)
            {
                return response is SubmitSmResp resp
                    ? SegmentOutcome.Accepted(resp.MessageId)
                    : SegmentOutcome.Fail(SmppFailureKind.Temporary, null, SmppFailureReasons.ProtocolError, $"the SMSC answered submit_sm with {response.CommandId}");
            }

            var name = SmppCommandStatus.GetName(status);
            if (SmppErrorClassifier.IsThrottling(status))
            {
                throttled++;
                if (throttled > _options.MaxThrottleRetries)
                {
                    return SegmentOutcome.Fail(SmppFailureKind.Temporary, status, name, $"still {name} after {_options.MaxThrottleRetries} retries");
                }

                var delay = ThrottleDelay(throttled);
                Log.Throttled(_logger, maskedDestination, name, delay, throttled, _options.MaxThrottleRetries);
                _limiter.Pause(delay);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return SegmentOutcome.Fail(SmppFailureKind.Temporary, status, name, $"{name} and the caller's deadline passed during the pause");
                }

                continue;
            }

            var via = response is GenericNack ? "generic_nack" : "submit_sm_resp";
            return SegmentOutcome.Fail(SmppErrorClassifier.Classify(status), status, name, $"the SMSC answered {via} {name} (0x{status:X8})");
        }
    }

    // Doubles from ThrottleRetryDelay on each further throttling answer, up to ReconnectMaxDelay.
    private TimeSpan ThrottleDelay(int attempt)
    {
        var cap = _options.ReconnectMaxDelay > _options.ThrottleRetryDelay ? _options.ReconnectMaxDelay : _options.ThrottleRetryDelay;
        var ticks = _options.ThrottleRetryDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 20));
        return ticks >= cap.Ticks ? cap : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>A bound session with a free window slot (round robin), or null when the deadline passes first.</summary>
    private async Task<SmppSession?> AcquireSessionAsync(CancellationToken cancellationToken)
    {
        while (!_stopRequested)
        {
            var signal = Volatile.Read(ref _capacity).Task;
            var start = (int)((uint)Interlocked.Increment(ref _nextSlot) % (uint)_slots.Length);
            for (var i = 0; i < _slots.Length; i++)
            {
                var session = _slots[(start + i) % _slots.Length].Session;
                if (session is not null && session.TryAcquireWindow())
                {
                    return session;
                }
            }

            try
            {
                await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    private async Task RunSlotAsync(SessionSlot slot)
    {
        var token = _stopping.Token;
        var delay = _options.ReconnectInitialDelay;
        while (!token.IsCancellationRequested)
        {
            try
            {
                Log.Connecting(_logger, slot.Name);
                var session = await SmppSession.OpenAsync(_options, slot.BindType, slot.Name, _time, _logger, this, token).ConfigureAwait(false);
                slot.Session = session;
                Log.Bound(_logger, slot.Name, session.SmscSystemId);
                delay = _options.ReconnectInitialDelay;
                ((ISmppSessionOwner)this).OnCapacityChanged();
                if (token.IsCancellationRequested)
                {
                    // StopAsync may have looked at this slot before the session was set.
                    await session.UnbindAsync(CancellationToken.None).ConfigureAwait(false);
                }

                var reason = await session.Completion.ConfigureAwait(false);
                slot.Session = null;
                await session.DisposeAsync().ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    break;
                }

                RecordError($"link lost: {reason}", null);
                Log.LinkLost(_logger, slot.Name, reason);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (SmppBindException e)
            {
                RecordError(e.Message, e.CommandStatus);
                Log.BindRefused(_logger, slot.Name, e.StatusName, e.CommandStatus);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException
                or SmppConnectionLostException or SmppResponseTimeoutException or SmppNotSentException
                or SmppProtocolException or System.Security.Authentication.AuthenticationException)
            {
                RecordError($"connection failed: {e.Message}", null);
                Log.ConnectFailed(_logger, slot.Name, e.Message);
            }
            catch (Exception e)
            {
                RecordError($"session failed: {e.Message}", null);
                Log.SessionLoopFailed(_logger, slot.Name, e);
            }

            var wait = WithJitter(delay);
            Log.Reconnecting(_logger, slot.Name, wait);
            try
            {
                await Task.Delay(wait, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = delay * 2 < _options.ReconnectMaxDelay ? delay * 2 : _options.ReconnectMaxDelay;
        }
    }

    // ±20 %, so that many sessions dropped together do not reconnect in lockstep.
    private static TimeSpan WithJitter(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (RandomNumberGenerator.GetInt32(401) / 1000.0))));

    private void RecordError(string message, uint? status) =>
        Volatile.Write(ref _lastError, new SmppClientError(_time.GetUtcNow(), message, status, status is { } s ? SmppCommandStatus.GetName(s) : null));

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        Log.Stopping(_logger);
        _stopRequested = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        ((ISmppSessionOwner)this).OnCapacityChanged();

        await Task.WhenAll(_slots.Select(s => s.Session?.UnbindAsync(cancellationToken) ?? Task.CompletedTask)).ConfigureAwait(false);
        await Task.WhenAll(_slots.Select(s => s.Loop ?? Task.CompletedTask)).ConfigureAwait(false);
        _stopped = true;
        Log.Stopped(_logger);
    }

    private async Task DispatchInboundAsync()
    {
        await foreach (var item in _inbound.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (item)
            {
                case SmppDeliveryReceipt receipt:
                    await RaiseAsync(DeliveryReceiptReceived, receipt, nameof(DeliveryReceiptReceived)).ConfigureAwait(false);
                    break;
                case SmppInboundMessage message:
                    await RaiseAsync(MessageReceived, message, nameof(MessageReceived)).ConfigureAwait(false);
                    break;
            }
        }
    }

    private async Task RaiseAsync<T>(Func<T, Task>? handlers, T item, string eventName)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Func<T, Task>>())
        {
            try
            {
                await handler(item).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Log.HandlerFailed(_logger, eventName, e);
            }
        }
    }

    private sealed class SessionSlot(string name, SmppBindType bindType)
    {
        private SmppSession? _session;

        public string Name { get; } = name;

        public SmppBindType BindType { get; } = bindType;

        public SmppSession? Session
        {
            get => Volatile.Read(ref _session);
            set => Volatile.Write(ref _session, value);
        }

        public Task? Loop { get; set; }
    }

    private readonly record struct SegmentOutcome(string? MessageId, SmppSubmitResult? Failure)
    {
        public static SegmentOutcome Accepted(string messageId) => new(messageId, null);

        public static SegmentOutcome Fail(SmppFailureKind kind, uint? status, string statusName, string detail) =>
            new(null, SmppSubmitResult.Failure(kind, status, statusName, detail));
    }
}
