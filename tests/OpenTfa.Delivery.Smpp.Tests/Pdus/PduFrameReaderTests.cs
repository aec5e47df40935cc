using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp.Tests.Pdus;

public class PduFrameReaderTests
{
    /// <summary>Hands out at most <c>chunk</c> octets per read, like a slow socket.</summary>
    private sealed class TricklingStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(buffer.Length, chunk), data.Length - _position);
            data.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static byte[] Frames(params SmppPdu[] pdus) => pdus.SelectMany(SmppPduCodec.Encode).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(100000)]
    public async Task ReadFrameAsync_AnyReadSize_ReturnsWholeFramesInOrder(int chunk)
    {
        var big = new SubmitSm { SequenceNumber = 2, MessagePayload = new byte[20000] };
        var data = Frames(new EnquireLink { SequenceNumber = 1 }, big, new UnbindResp { SequenceNumber = 3 });
        var reader = new PduFrameReader(new TricklingStream(data, chunk));

        var frames = new List<SmppPdu>();
        while (await reader.ReadFrameAsync(CancellationToken.None) is { } frame)
        {
            frames.Add(SmppPduCodec.Decode(frame));
        }

        Assert.Equal([1u, 2u, 3u], frames.Select(f => f.SequenceNumber));
        Assert.Equal(20000, Assert.IsType<SubmitSm>(frames[1]).MessagePayload!.Length);
    }

    [Theory]
    [InlineData("00000000")]
    [InlineData("0000000F")]
    [InlineData("7FFFFFFF")]
    public async Task ReadFrameAsync_AbsurdCommandLength_Throws(string length)
    {
        var data = Convert.FromHexString(length + "00000015 00000000 00000001".Replace(" ", string.Empty, StringComparison.Ordinal));
        var reader = new PduFrameReader(new MemoryStream(data));

        await Assert.ThrowsAsync<SmppProtocolException>(async () => await reader.ReadFrameAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadFrameAsync_StreamEndsInsideFrame_ThrowsEndOfStream()
    {
        var data = Frames(new EnquireLink { SequenceNumber = 1 })[..10];
        var reader = new PduFrameReader(new MemoryStream(data));

        await Assert.ThrowsAsync<EndOfStreamException>(async () => await reader.ReadFrameAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadFrameAsync_EmptyStream_ReturnsNull()
    {
        var reader = new PduFrameReader(new MemoryStream());

        Assert.Null(await reader.ReadFrameAsync(CancellationToken.None));
    }
}
