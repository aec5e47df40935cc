using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>Appends big-endian SMPP fields to a growing buffer.</summary>
internal sealed class PduWriter
{
    private byte[] _buffer = new byte[256];

    public int Length { get; private set; }

    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[Length++] = value;
    }

    public void WriteUInt16(ushort value)
    {
        Ensure(2);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(Length), value);
        Length += 2;
    }

    public void WriteUInt32(uint value)
    {
        Ensure(4);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteUInt32At(int offset, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(offset), value);

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(Length));
        Length += value.Length;
    }

    /// <summary>
    /// Writes a C-octet string: the characters as single octets, then NUL.
    /// <paramref name="maxLength"/> counts the terminating NUL, as the specification does.
    /// </summary>
    public void WriteCString(string? value, int maxLength, string field)
    {
        value ??= string.Empty;
        if (value.Length > maxLength - 1)
        {
            throw new InvalidOperationException(
                $"SMPP field {field} holds at most {maxLength - 1} characters; got {value.Length}.");
        }

        Ensure(value.Length + 1);
        foreach (var c in value)
        {
            if (c is '\0' or > '\u00FF')
            {
                throw new InvalidOperationException($"SMPP field {field} contains a character that is not a single octet.");
            }

            _buffer[Length++] = (byte)c;
        }

        _buffer[Length++] = 0;
    }

    public void WriteTlv(SmppTlv tlv)
    {
        WriteUInt16(tlv.Tag);
        WriteUInt16((ushort)tlv.Value.Length);
        WriteBytes(tlv.Value);
    }

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private void Ensure(int extra)
    {
        if (Length + extra <= _buffer.Length)
        {
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + extra));
    }
}
