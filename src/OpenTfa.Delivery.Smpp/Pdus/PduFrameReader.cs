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

    private readonly Stream stream;
    private readonly int maxCommandLength;
    private readonly byte[] buffer = new byte[8192];
    private int start;
    private int end;

    public PduFrameReader(Stream stream, int maxCommandLength = DefaultMaxCommandLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCommandLength, SmppPdu.HeaderLength);
        this.stream = stream;
        this.maxCommandLength = maxCommandLength;
    }

    /// <summary>
    /// The next whole frame, header included; null when the peer closed the stream cleanly
    /// between two frames. A stream that ends inside a frame throws <see cref="EndOfStreamException"/>.
    /// </summary>
    public async ValueTask<byte[]?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        if (!await FillAsync(4, cancellationToken).ConfigureAwait(false))
        {
            if (end == start)
            {
                return null;
            }

            throw new EndOfStreamException("The connection closed inside a PDU header.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start, 4));
        if (length < SmppPdu.HeaderLength || length > (uint)maxCommandLength)
        {
            throw new SmppProtocolException(
                $"command_length {length} is outside {SmppPdu.HeaderLength}..{maxCommandLength}; the stream is out of step.");
        }

        var frame = new byte[length];
        var buffered = Math.Min(end - start, (int)length);
        buffer.AsSpan(start, buffered).CopyTo(frame);
        start += buffered;
        if (start == end)
        {
            start = end = 0;
        }

        if (buffered < frame.Length)
        {
            await stream.ReadExactlyAsync(frame.AsMemory(buffered), cancellationToken).ConfigureAwait(false);
        }

        return frame;
    }

    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (end - start < count)
        {
            if (start > 0)
            {
                buffer.AsSpan(start, end - start).CopyTo(buffer);
                end -= start;
                start = 0;
            }

            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            end += read;
        }

        return true;
    }
}
