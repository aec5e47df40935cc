namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>Which of the three bind operations a session uses.</summary>
public enum SmppBindType
{
    Transmitter,
    Receiver,
    Transceiver,
}

/// <summary>bind_transmitter, bind_receiver or bind_transceiver (SMPP 3.4 section 4.1).</summary>
public sealed class BindPdu : SmppPdu
{
    public const byte InterfaceVersion34 = 0x34;

    public BindPdu(SmppBindType bindType)
        : base(CommandFor(bindType))
    {
        BindType = bindType;
    }

    public SmppBindType BindType { get; }

    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string SystemType { get; set; } = string.Empty;

    public byte InterfaceVersion { get; set; } = InterfaceVersion34;

    public byte AddrTon { get; set; }

    public byte AddrNpi { get; set; }

    public string AddressRange { get; set; } = string.Empty;

    internal static SmppCommandId CommandFor(SmppBindType bindType) => bindType switch
    {
        SmppBindType.Transmitter => SmppCommandId.BindTransmitter,
        SmppBindType.Receiver => SmppCommandId.BindReceiver,
        SmppBindType.Transceiver => SmppCommandId.BindTransceiver,
        _ => throw new ArgumentOutOfRangeException(nameof(bindType), bindType, "Unknown bind type."),
    };

    internal override void WriteBody(PduWriter writer)
    {
        writer.WriteCString(SystemId, 16, "system_id");
        writer.WriteCString(Password, 9, "password");
        writer.WriteCString(SystemType, 13, "system_type");
        writer.WriteByte(InterfaceVersion);
        writer.WriteByte(AddrTon);
        writer.WriteByte(AddrNpi);
        writer.WriteCString(AddressRange, 41, "address_range");
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(16, "system_id");
        Password = reader.ReadCString(9, "password");
        SystemType = reader.ReadCString(13, "system_type");
        InterfaceVersion = reader.ReadByte("interface_version");
        AddrTon = reader.ReadByte("addr_ton");
        AddrNpi = reader.ReadByte("addr_npi");
        AddressRange = reader.ReadCString(41, "address_range");
    }
}

/// <summary>bind_transmitter_resp, bind_receiver_resp or bind_transceiver_resp.</summary>
public sealed class BindRespPdu : SmppPdu
{
    public BindRespPdu(SmppBindType bindType)
        : base((SmppCommandId)((uint)BindPdu.CommandFor(bindType) | 0x80000000))
    {
        BindType = bindType;
    }

    public SmppBindType BindType { get; }

    /// <summary>The SMSC's identifier; empty when the SMSC sent no body (an error answer).</summary>
    public string SystemId { get; set; } = string.Empty;

    /// <summary>The sc_interface_version TLV, when the SMSC sent one.</summary>
    public byte? ScInterfaceVersion
    {
        get => GetTlvByte(SmppTlvTag.ScInterfaceVersion);
        set => SetTlvByte(SmppTlvTag.ScInterfaceVersion, value);
    }

    internal override void WriteBody(PduWriter writer) => writer.WriteCString(SystemId, 16, "system_id");

    internal override void ReadBody(ref PduReader reader) => SystemId = reader.ReadCStringOrEmpty(16, "system_id");
}
