namespace OpenTfa.Contracts;

// OpenTfa's own surface: the delivery channels of a node (GET /opentfa/v1/channels).

public sealed class ChannelResponse
{
    public required string Name { get; init; }

    public required string Type { get; init; }

    public required IReadOnlyList<string> Kinds { get; init; }

    /// <summary>BOUND, CONNECTING, STOPPING or STOPPED for SMPP; READY for channels without a connection; MISSING for a kind with no channel.</summary>
    public required string State { get; init; }

    /// <summary>Whether routes use the channel; absent for a kind with no channel.</summary>
    public ChannelCircuitResponse? Circuit { get; init; }

    public ChannelSessionsResponse? Sessions { get; init; }

    /// <summary>The most recent problem, kept after recovery: a failed send attempt, or a connection problem of the sessions.</summary>
    public ChannelErrorResponse? LastError { get; init; }

    /// <summary>Counts since this process started; absent for a kind with no channel.</summary>
    public ChannelCountersResponse? Counters { get; init; }
}

public sealed class ChannelSessionsResponse
{
    public required int Configured { get; init; }

    public required int Bound { get; init; }

    /// <summary>The most recent connection problem (a refused bind, a lost link), kept after recovery.</summary>
    public ChannelErrorResponse? LastError { get; init; }
}

public sealed class ChannelCircuitResponse
{
    /// <summary>CLOSED (used), OPEN (skipped after repeated temporary failures), HALF_OPEN (the next message probes it).</summary>
    public required string State { get; init; }

    /// <summary>Temporary failures of the channel in a row; a failure about one recipient does not count.</summary>
    public required int ConsecutiveFailures { get; init; }
}

public sealed class ChannelErrorResponse
{
    public required long At { get; init; }

    public required string Message { get; init; }

    /// <summary>The SMPP status name (ESME_RINVPASWD), when the problem was an SMSC's answer to a bind.</summary>
    public string? Status { get; init; }

    /// <summary>The message whose send attempt failed, when the problem was one.</summary>
    public string? MessageId { get; init; }
}

public sealed class ChannelCountersResponse
{
    public required long Submitted { get; init; }

    public required long Failed { get; init; }

    public required long Retried { get; init; }

    public required long Delivered { get; init; }

    public required long Undelivered { get; init; }

    public required long Since { get; init; }
}
