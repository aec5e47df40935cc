using System.Buffers.Binary;

namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>
/// An SMPP 3.4 PDU: the 16-octet header (command_length, command_id, command_status,
/// sequence_number), the command's mandatory parameters, then optional TLVs.
/// </summary>
public abstract class SmppPdu
{
    public const int HeaderLength = 16;

    protected SmppPdu(SmppCommandId commandId)
    {
        CommandId = commandId;
    }

    public SmppCommandId CommandId { get; }

    public uint CommandStatus { get; set; }

    public uint SequenceNumber { get; set; }

    public bool IsResponse => ((uint)CommandId & 0x80000000) != 0;

    /// <summary>Optional parameters in wire order, including ones this library does not know.</summary>
    public IList<SmppTlv> Tlvs { get; } = new List<SmppTlv>();

    public SmppTlv? FindTlv(ushort tag)
    {
        foreach (var tlv in Tlvs)
        {
            if (tlv.Tag == tag)
            {
                return tlv;
            }
        }

        return null;
    }

    /// <summary>Adds the TLV, replacing one with the same tag.</summary>
    public void SetTlv(ushort tag, byte[] value)
    {
        for (var i = 0; i < Tlvs.Count; i++)
        {
            if (Tlvs[i].Tag == tag)
            {
                Tlvs[i] = new SmppTlv(tag, value);
                return;
            }
        }

        Tlvs.Add(new SmppTlv(tag, value));
    }

    public bool RemoveTlv(ushort tag)
    {
        var removed = false;
        for (var i = Tlvs.Count - 1; i >= 0; i--)
        {
            if (Tlvs[i].Tag == tag)
            {
                Tlvs.RemoveAt(i);
                removed = true;
            }
        }

        return removed;
    }

    protected byte? GetTlvByte(ushort tag)
    {
        var tlv = FindTlv(tag);
        return tlv is { Value.Length: >= 1 } ? tlv.Value[0] : null;
    }

    protected ushort? GetTlvUInt16(ushort tag)
    {
        var tlv = FindTlv(tag);
        return tlv is { Value.Length: >= 2 } ? BinaryPrimitives.ReadUInt16BigEndian(tlv.Value) : null;
    }

    protected string? GetTlvCString(ushort tag)
    {
        var tlv = FindTlv(tag);
        if (tlv is null)
        {
            return null;
        }

        var value = tlv.Value.AsSpan();
        var nul = value.IndexOf((byte)0);
        return System.Text.Encoding.Latin1.GetString(nul >= 0 ? value[..nul] : value);
    }

    protected void SetTlvByte(ushort tag, byte? value)
    {
        if (value is null)
        {
            RemoveTlv(tag);
        }
        else
        {
            SetTlv(tag, [value.Value]);
        }
    }

    protected void SetTlvUInt16(ushort tag, ushort? value)
    {
        if (value is null)
        {
            RemoveTlv(tag);
            return;
        }

        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value.Value);
        SetTlv(tag, bytes);
    }

    protected void SetTlvCString(ushort tag, string? value)
    {
        if (value is null)
        {
            RemoveTlv(tag);
            return;
        }

        var bytes = new byte[value.Length + 1];
        System.Text.Encoding.Latin1.GetBytes(value, bytes);
        SetTlv(tag, bytes);
    }

    internal virtual void WriteBody(PduWriter writer)
    {
    }

    internal virtual void ReadBody(ref PduReader reader)
    {
    }
}

/// <summary>A PDU that has only a header (enquire_link, unbind, generic_nack and their responses).</summary>
public abstract class SmppHeaderOnlyPdu : SmppPdu
{
    protected SmppHeaderOnlyPdu(SmppCommandId commandId)
        : base(commandId)
    {
    }
}

public sealed class EnquireLink() : SmppHeaderOnlyPdu(SmppCommandId.EnquireLink);

public sealed class EnquireLinkResp() : SmppHeaderOnlyPdu(SmppCommandId.EnquireLinkResp);

public sealed class Unbind() : SmppHeaderOnlyPdu(SmppCommandId.Unbind);

public sealed class UnbindResp() : SmppHeaderOnlyPdu(SmppCommandId.UnbindResp);

public sealed class GenericNack() : SmppHeaderOnlyPdu(SmppCommandId.GenericNack);

/// <summary>A PDU whose command_id this library does not implement; its body is kept as is.</summary>
public sealed class UnknownPdu : SmppPdu
{
    public UnknownPdu(SmppCommandId commandId)
        : base(commandId)
    {
    }

    public byte[] Body { get; set; } = [];

    internal override void WriteBody(PduWriter writer) => writer.WriteBytes(Body);

    internal override void ReadBody(ref PduReader reader) => Body = reader.ReadBytes(reader.Remaining, "body");
}
