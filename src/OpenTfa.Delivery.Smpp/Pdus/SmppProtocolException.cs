namespace OpenTfa.Delivery.Smpp.Pdus;

/// <summary>A PDU that breaks the SMPP 3.4 encoding rules.</summary>
public sealed class SmppProtocolException : Exception
{
    public SmppProtocolException(string message, uint commandStatus = SmppCommandStatus.ESME_RINVCMDLEN)
        : base(message)
    {
        CommandStatus = commandStatus;
    }

    public SmppProtocolException()
        : this("Malformed SMPP PDU.")
    {
    }

    public SmppProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        CommandStatus = SmppCommandStatus.ESME_RINVCMDLEN;
    }

    /// <summary>The command_status to answer the offending request with.</summary>
    public uint CommandStatus { get; }
}
