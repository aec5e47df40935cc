using OpenTfa.Delivery.Smpp.Pdus;

namespace OpenTfa.Delivery.Smpp;

/// <summary>The SMSC refused the bind.</summary>
internal sealed class SmppBindException(uint commandStatus)
    : Exception($"bind refused: {SmppCommandStatus.GetName(commandStatus)} (0x{commandStatus:X8})")
{
    public uint CommandStatus { get; } = commandStatus;

    public string StatusName => SmppCommandStatus.GetName(CommandStatus);
}

/// <summary>The request never left: the session was closed or the caller gave up first.</summary>
internal sealed class SmppNotSentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The link dropped after the request may have been written.</summary>
internal sealed class SmppConnectionLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>No response within ResponseTimeout.</summary>
internal sealed class SmppResponseTimeoutException(string message) : Exception(message);
