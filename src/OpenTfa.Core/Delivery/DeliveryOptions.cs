using OpenTfa.Core.Configuration;

namespace OpenTfa.Core.Delivery;

/// <summary>How the outbox is dispatched (<c>OpenTfa:Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    /// <summary>This node's name in outbox leases; unique per process by default.</summary>
    public string? NodeId { get; set; }

    [PositiveDuration]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a node holds a claimed message before another node may take it over.</summary>
    [PositiveDuration]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Messages claimed at once. Every claimed message must be sent before its lease runs out,
    /// so start-up refuses a lease shorter than <c>SendTimeout × ⌈BatchSize ÷ Parallelism⌉</c>.
    /// </summary>
    [SettingRange(1, 10_000)]
    public int BatchSize { get; set; } = 16;

    [SettingRange(1, 10_000)]
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// After the outbox ran empty, how long a woken dispatcher lets new messages gather before it
    /// claims them: one claim then takes several messages instead of one each, which saves a
    /// store write per message under steady traffic. Zero claims at once.
    /// </summary>
    [SettingRange(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan ClaimDelay { get; set; } = TimeSpan.FromMilliseconds(3);

    [PositiveDuration]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [PositiveDuration]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    [PositiveDuration]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Temporary failures in a row after which a channel is skipped (its circuit opens).</summary>
    [SettingRange(1, 1000)]
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit skips its channel before one message probes it again.</summary>
    [PositiveDuration]
    public TimeSpan BreakerOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a claimed message can wait for its turn and then for its channel.</summary>
    public TimeSpan WorstCaseHold => SendTimeout * Math.Ceiling(BatchSize / (double)Math.Max(1, Parallelism));

    /// <summary>The rules that relate several settings (each setting's own range is on its attribute).</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (Lease <= WorstCaseHold)
        {
            yield return $"{section}:Lease ({Lease}) must be longer than SendTimeout × ⌈BatchSize ÷ Parallelism⌉ ({WorstCaseHold}), or another node could send a message this node still holds";
        }

        if (RetryMaxDelay < RetryInitialDelay)
        {
            yield return $"{section}:RetryMaxDelay ({RetryMaxDelay}) must not be shorter than RetryInitialDelay ({RetryInitialDelay})";
        }
    }
}

/// <summary>Which channels carry each kind of message (<c>OpenTfa:Routes</c>), in order of preference.</summary>
public sealed class RoutingOptions
{
    public IList<string> Sms { get; } = [];

    public IList<string> Voice { get; } = [];

    public IList<string> Email { get; } = [];

    public IList<string> WhatsApp { get; } = [];

    public IList<string> Telegram { get; } = [];

    /// <summary>Per-application overrides, keyed by application id.</summary>
    public IDictionary<string, RoutingOptions> Applications { get; } = new Dictionary<string, RoutingOptions>(StringComparer.OrdinalIgnoreCase);

    public IList<string> For(ChannelKind kind) => kind switch
    {
        ChannelKind.Sms => Sms,
        ChannelKind.Voice => Voice,
        ChannelKind.Email => Email,
        ChannelKind.WhatsApp => WhatsApp,
        ChannelKind.Telegram => Telegram,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
