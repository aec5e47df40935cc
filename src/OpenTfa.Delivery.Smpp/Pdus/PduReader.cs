using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>Reads big-endian SMPP fields from a PDU body; every overrun is a protocol error.</summary>
internal ref struct PduReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public PduReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public readonly bool AtEnd => _position >= _data.Length;

    public byte ReadByte(string field)
    {
        Need(1, field);
        return _data[_position++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_data[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32(string field)
    {
        Need(4, field);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    public byte[] ReadBytes(int count, string field)
    {
        Need(count, field);
        var value = _data.Slice(_position, count).ToArray();
        _position += count;
        return value;
    }

    /// <summary>
    /// Reads a C-octet string of at most <paramref name="maxLength"/> octets including its NUL.
    /// </summary>
    public string ReadCString(int maxLength, string field)
    {
        var rest = _data[_position..];
        var nul = rest.IndexOf((byte)0);
        if (nul < 0)
        {
            throw new SmppProtocolException($"SMPP field {field} is not NUL-terminated.");
        }

        if (nul > maxLength - 1)
        {
            throw new SmppProtocolException(
                $"SMPP field {field} is {nul} octets long; at most {maxLength - 1} are allowed.",
                SmppCommandStatus.ESME_RINVPARLEN);
        }

        var value = Latin1(rest[..nul]);
        _position += nul + 1;
        return value;
    }

    /// <summary>
    /// Like <see cref="ReadCString"/>, but an absent field reads as empty: SMSCs leave out the
    /// body of a response whose command_status is an error, and some leave it out on success.
    /// </summary>
    public string ReadCStringOrEmpty(int maxLength, string field)
    {
        if (AtEnd)
        {
            return string.Empty;
        }

        var rest = _data[_position..];
        if (rest.IndexOf((byte)0) < 0)
        {
            // A missing terminator at the very end of a response is tolerated.
            var value = Latin1(rest[..Math.Min(rest.Length, maxLength - 1)]);
            _position = _data.Length;
            return value;
        }

        return ReadCString(maxLength, field);
    }

    private readonly void Need(int count, string field)
    {
        if (count < 0 || _position + count > _data.Length)
        {
            throw new SmppProtocolException($"SMPP PDU ends inside field {field}.");
        }
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) => System.Text.Encoding.Latin1.GetString(bytes);
}
