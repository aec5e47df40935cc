using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>
/// Cuts a byte stream into whole PDU frames, whatever sizes the underlying reads return.
/// A command_length below the 16-octet header or above the configured maximum means the
/// stream cannot be trusted any more: it throws, and the caller drops the connection.
/// </summary>
public sealed class PduFrameReader
{
    /// <summary>Large enough for a 64 KB message_payload plus every mandatory field.</summary>
    public const int DefaultMaxCommandLength = 70_000;

    private readonly Stream _stream;
    private readonly int _maxCommandLength;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public PduFrameReader(Stream stream, int maxCommandLength = DefaultMaxCommandLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCommandLength, SmppPdu.HeaderLength);
        _stream = stream;
        _maxCommandLength = maxCommandLength;
    }

    /// <summary>
    /// The next whole frame, header included; null when the peer closed the stream cleanly
    /// between two frames. A stream that ends inside a frame throws <see cref="EndOfStreamException"/>.
    /// </summary>
    public async ValueTask<byte[]?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(4, cancellationToken).ConfigureAwait(false))
        {
            if (_end == _start)
            {
                return null;
            }

            throw new EndOfStreamException("The connection closed inside a PDU header.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start, 4));
        if (length < SmppPdu.HeaderLength || length > (uint)_maxCommandLength)
        {
            throw new SmppProtocolException(
                $"command_length {length} is outside {SmppPdu.HeaderLength}..{_maxCommandLength}; the stream is out of step.");
        }

        var frame = new byte[length];
        var buffered = Math.Min(_end - _start, (int)length);
        _buffer.AsSpan(_start, buffered).CopyTo(frame);
        _start += buffered;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        if (buffered < frame.Length)
        {
            await _stream.ReadExactlyAsync(frame.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
        }

        return frame;
    }

    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }
}
