using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp;

/// <summary>What a session tells the client it belongs to.</summary>
internal interface ISmppSessionOwner
{
    /// <summary>A deliver_sm arrived and its deliver_sm_resp has been written.</summary>
    void OnDeliverSm(SmppSession session, DeliverSm pdu);

    /// <summary>A window slot freed up, or the session closed: waiting submitters should look again.</summary>
    void OnCapacityChanged();
}

/// <summary>
/// One bound SMPP connection: it matches responses to requests by sequence number, answers
/// the SMSC's enquire_link, unbind and deliver_sm, sends its own enquire_link and drops a link
/// that stops answering, and limits the submit_sm in flight to the window size.
/// A session is never reused: after it closes, the client opens a new one.
/// </summary>
internal sealed class SmppSession : IAsyncDisposable
{
    private const int Open = 0;
    private const int Bound = 1;
    private const int Unbinding = 2;
    private const int Closed = 3;

    private readonly SmppConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ISmppSessionOwner _owner;
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly PduFrameReader _reader;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<SmppPdu>> _pending = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = Open;
    private int _sequence;
    private int _outstanding;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;

    private SmppSession(SmppConnectionOptions options, SmppBindType bindType, string name, TimeProvider time, ILogger logger, ISmppSessionOwner owner, TcpClient tcp, Stream stream)
    {
        _options = options;
        BindType = bindType;
        Name = name;
        _time = time;
        _logger = logger;
        _owner = owner;
        _tcp = tcp;
        _stream = stream;
        _reader = new PduFrameReader(stream);
    }

    public string Name { get; }

    public SmppBindType BindType { get; }

    public string SmscSystemId { get; private set; } = string.Empty;

    public bool IsBound => Volatile.Read(ref _state) == Bound;

    public bool CanSubmit => BindType != SmppBindType.Receiver && IsBound;

    /// <summary>Completes with the reason once the session has closed.</summary>
    public Task<string> Completion => _closed.Task;

    /// <summary>Connects, binds and starts the keep-alive. Throws <see cref="SmppBindException"/> on a refused bind.</summary>
    public static async Task<SmppSession> OpenAsync(
        SmppConnectionOptions options,
        SmppBindType bindType,
        string name,
        TimeProvider time,
        ILogger logger,
        ISmppSessionOwner owner,
        CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        SmppSession? session = null;
        try
        {
            var stream = await ConnectAsync(options, tcp, time, cancellationToken).ConfigureAwait(false);
            session = new SmppSession(options, bindType, name, time, logger, owner, tcp, stream);
            session._readLoop = Task.Run(session.ReadLoopAsync, CancellationToken.None);

            var bind = new BindPdu(bindType)
            {
                SystemId = options.SystemId,
                Password = options.Password,
                SystemType = options.SystemType,
                AddressRange = bindType == SmppBindType.Transmitter ? string.Empty : options.AddressRange,
            };
            var response = await session.RequestAsync(bind, cancellationToken).ConfigureAwait(false);
            if (response.CommandStatus != SmppCommandStatus.ESME_ROK)
            {
                throw new SmppBindException(response.CommandStatus);
            }

            if (response is not BindRespPdu bindResp || bindResp.BindType != bindType)
            {
                throw new SmppProtocolException($"The SMSC answered the bind with {response.CommandId}.");
            }

            session.SmscSystemId = bindResp.SystemId;
            if (Interlocked.CompareExchange(ref session._state, Bound, Open) != Open)
            {
                throw new SmppConnectionLostException(await session.Completion.ConfigureAwait(false));
            }

            session._keepAliveLoop = Task.Run(session.KeepAliveLoopAsync, CancellationToken.None);
            return session;
        }
        catch
        {
            if (session is not null)
            {
                session.Close("bind failed");
                await session.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                tcp.Dispose();
            }

            throw;
        }
    }

    private static async Task<Stream> ConnectAsync(SmppConnectionOptions options, TcpClient tcp, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await tcp.ConnectAsync(options.Host, options.Port, linked.Token).ConfigureAwait(false);
            Stream stream = tcp.GetStream();
            if (!options.UseTls)
            {
                return stream;
            }

            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            var allowInvalid = options.AllowInvalidCertificate;
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = options.Host,
                    RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None || allowInvalid,
                },
                linked.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no connection to {options.Host}:{options.Port} within {options.ConnectTimeout}");
        }
    }

    /// <summary>Takes a window slot for a submit_sm; false when the window is full or the session cannot submit.</summary>
    public bool TryAcquireWindow()
    {
        while (CanSubmit)
        {
            var current = Volatile.Read(ref _outstanding);
            if (current >= _options.WindowSize)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _outstanding, current + 1, current) == current)
            {
                return true;
            }
        }

        return false;
    }

    public void ReleaseWindow()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0 && Volatile.Read(ref _state) == Unbinding)
        {
            _drained.TrySetResult();
        }

        _owner.OnCapacityChanged();
    }

    /// <summary>
    /// Sends a request and waits for its response (or a generic_nack) for at most ResponseTimeout.
    /// Throws <see cref="SmppNotSentException"/> when nothing was written,
    /// <see cref="SmppConnectionLostException"/> when the link dropped after the write may have happened,
    /// <see cref="SmppResponseTimeoutException"/> when no answer came, and
    /// <see cref="OperationCanceledException"/> when the caller gave up after the write.
    /// </summary>
    public Task<SmppPdu> RequestAsync(SmppPdu request, CancellationToken cancellationToken) =>
        RequestAsync(request, cancellationToken, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> and waits up to ResponseTimeout for its response.
    /// <paramref name="sendCancellation"/> may stop the request only before it is written;
    /// <paramref name="answerCancellation"/> stops the wait for the answer.
    /// </summary>
    public async Task<SmppPdu> RequestAsync(SmppPdu request, CancellationToken sendCancellation, CancellationToken answerCancellation)
    {
        var number = NextSequenceNumber();
        request.SequenceNumber = number;
        var response = new TaskCompletionSource<SmppPdu>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[number] = response;
        try
        {
            await WriteAsync(request, sendCancellation).ConfigureAwait(false);
            if (Volatile.Read(ref _state) == Closed)
            {
                // The session closed while writing; the close may have run before this request was pending.
                response.TrySetException(new SmppConnectionLostException(await Completion.ConfigureAwait(false)));
            }

            try
            {
                return await response.Task.WaitAsync(_options.ResponseTimeout, _time, answerCancellation).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new SmppResponseTimeoutException($"no answer to {request.CommandId} within {_options.ResponseTimeout}");
            }
        }
        finally
        {
            _pending.TryRemove(number, out _);
        }
    }

    /// <summary>
    /// Stops taking submits, gives those in flight up to ResponseTimeout to finish, sends unbind
    /// and waits for unbind_resp, then closes. Safe to call more than once.
    /// </summary>
    public async Task UnbindAsync(CancellationToken cancellationToken)
    {
        var previous = Interlocked.CompareExchange(ref _state, Unbinding, Bound);
        if (previous != Bound)
        {
            if (previous == Open)
            {
                Close("stopped before the bind completed");
            }

            try
            {
                // Another caller is unbinding; it closes the session when done.
                await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Close("stop cancelled");
            }

            return;
        }

        _owner.OnCapacityChanged();
        try
        {
            if (Volatile.Read(ref _outstanding) == 0)
            {
                _drained.TrySetResult();
            }

            await _drained.Task.WaitAsync(_options.ResponseTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Submits still waiting after ResponseTimeout would time out anyway.
        }
        catch (OperationCanceledException)
        {
            Close("stop cancelled");
            return;
        }

        try
        {
            await RequestAsync(new Unbind(), cancellationToken).ConfigureAwait(false);
            Log.Unbound(_logger, Name);
        }
        catch (Exception e) when (e is SmppResponseTimeoutException or SmppConnectionLostException or SmppNotSentException or OperationCanceledException)
        {
            Log.UnbindUnanswered(_logger, Name, e.Message);
        }
        finally
        {
            Close("unbound");
        }
    }

    /// <summary>Closes the connection now and fails every request still waiting. Idempotent.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _state, Closed) == Closed)
        {
            return;
        }

        _closed.TrySetResult(reason);
        _lifetime.Cancel();
        try
        {
            _stream.Dispose();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // A stream that fails to close is closed enough.
        }

        _tcp.Dispose();
        foreach (var number in _pending.Keys)
        {
            if (_pending.TryRemove(number, out var waiting))
            {
                waiting.TrySetException(new SmppConnectionLostException(reason));
            }
        }

        _drained.TrySetResult();
        _owner.OnCapacityChanged();
    }

    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        try
        {
            await Task.WhenAll(_readLoop, _keepAliveLoop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The loops end by themselves once the session is closed.
        }

        _lifetime.Dispose();
    }

    private uint NextSequenceNumber()
    {
        // Sequence numbers run 1..0x7FFFFFFF and wrap.
        while (true)
        {
            var current = Volatile.Read(ref _sequence);
            var next = current >= 0x7FFFFFFF ? 1 : current + 1;
            if (Interlocked.CompareExchange(ref _sequence, next, current) == current)
            {
                return (uint)next;
            }
        }
    }

    private async Task WriteAsync(SmppPdu pdu, CancellationToken cancellationToken)
    {
        var frame = SmppPduCodec.Encode(pdu);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            throw new SmppNotSentException("cancelled before sending", e);
        }

        try
        {
            if (Volatile.Read(ref _state) == Closed)
            {
                throw new SmppNotSentException($"session closed: {await Completion.ConfigureAwait(false)}");
            }

            await _stream.WriteAsync(frame, _lifetime.Token).ConfigureAwait(false);
            await _stream.FlushAsync(_lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
        {
            Close($"write failed: {e.Message}");
            throw new SmppConnectionLostException($"write failed: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a response; a failure closes the session, which the read loop then notices.</summary>
    private async Task AnswerAsync(SmppPdu response)
    {
        try
        {
            await WriteAsync(response, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SmppNotSentException or SmppConnectionLostException)
        {
            // The session is closed; the SMSC will send the request again on the next session.
        }
    }

    private async Task ReadLoopAsync()
    {
        var reason = "connection closed by the SMSC";
        try
        {
            while (true)
            {
                var frame = await _reader.ReadFrameAsync(_lifetime.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }

                await HandleFrameAsync(frame).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            reason = "closed";
        }
        catch (SmppProtocolException e)
        {
            reason = $"protocol error: {e.Message}";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            reason = $"connection lost: {e.Message}";
        }

        Close(reason);
    }

    private async Task HandleFrameAsync(byte[] frame)
    {
        SmppPdu pdu;
        try
        {
            pdu = SmppPduCodec.Decode(frame);
        }
        catch (SmppProtocolException e)
        {
            var header = SmppPduCodec.ReadHeader(frame);
            Log.MalformedPdu(_logger, Name, header.CommandId, header.SequenceNumber, e.Message);
            if (((uint)header.CommandId & 0x80000000) == 0)
            {
                await AnswerAsync(new GenericNack { SequenceNumber = header.SequenceNumber, CommandStatus = e.CommandStatus }).ConfigureAwait(false);
            }
            else if (_pending.TryRemove(header.SequenceNumber, out var waiting))
            {
                waiting.TrySetException(e);
            }

            return;
        }

        switch (pdu)
        {
            case GenericNack nack:
                if (_pending.TryRemove(nack.SequenceNumber, out var nacked))
                {
                    nacked.TrySetResult(nack);
                }
                else
                {
                    Log.UnmatchedGenericNack(_logger, Name, SmppCommandStatus.GetName(nack.CommandStatus), nack.SequenceNumber);
                }

                break;

            case { IsResponse: true }:
                if (_pending.TryRemove(pdu.SequenceNumber, out var answered))
                {
                    answered.TrySetResult(pdu);
                }
                else
                {
                    Log.UnmatchedResponse(_logger, Name, pdu.CommandId, pdu.SequenceNumber);
                }

                break;

            case EnquireLink:
                await AnswerAsync(new EnquireLinkResp { SequenceNumber = pdu.SequenceNumber }).ConfigureAwait(false);
                break;

            case Unbind:
                Log.UnbindRequested(_logger, Name);
                Interlocked.CompareExchange(ref _state, Unbinding, Bound);
                await AnswerAsync(new UnbindResp { SequenceNumber = pdu.SequenceNumber }).ConfigureAwait(false);
                Close("unbind requested by the SMSC");
                break;

            case DeliverSm deliver:
                await AnswerAsync(new DeliverSmResp { SequenceNumber = deliver.SequenceNumber }).ConfigureAwait(false);
                _owner.OnDeliverSm(this, deliver);
                break;

            case UnknownPdu { CommandId: SmppCommandId.AlertNotification }:
                // alert_notification has no response.
                Log.AlertNotification(_logger, Name);
                break;

            default:
                Log.UnsupportedRequest(_logger, Name, pdu.CommandId);
                await AnswerAsync(new GenericNack { SequenceNumber = pdu.SequenceNumber, CommandStatus = SmppCommandStatus.ESME_RINVCMDID }).ConfigureAwait(false);
                break;
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.EnquireLinkInterval, _time);
            while (await timer.WaitForNextTickAsync(_lifetime.Token).ConfigureAwait(false))
            {
                try
                {
                    await RequestAsync(new EnquireLink(), _lifetime.Token).ConfigureAwait(false);
                }
                catch (SmppResponseTimeoutException)
                {
                    Log.EnquireLinkTimedOut(_logger, Name, _options.ResponseTimeout);
                    Close($"no enquire_link_resp within {_options.ResponseTimeout}");
                    return;
                }
                catch (Exception e) when (e is SmppNotSentException or SmppConnectionLostException)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session closed.
        }
    }
}
