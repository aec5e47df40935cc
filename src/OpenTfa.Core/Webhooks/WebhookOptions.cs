using OpenTfa.Core.Configuration;

namespace OpenTfa.Core.Webhooks;

/// <summary>How webhooks are delivered (<c>OpenTfa:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "OpenTfa:Webhooks";

    /// <summary>
    /// Lets webhook URLs point at loopback, private, link-local and other non-public addresses.
    /// Off by default: a tenant must not be able to make the server call into its own network.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// Ports a webhook URL may name besides its scheme's own (443 for https, 80 for plain http).
    /// Lifted, like the address check, by <see cref="AllowPrivateNetworks"/>.
    /// </summary>
    public IList<int> AllowedPorts { get; set; } = [443];

    /// <summary>Accept <c>http://</c> URLs; off by default (payloads then travel in clear).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [PositiveDuration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second attempt; each later wait doubles, up to <see cref="RetryMaxDelay"/>.</summary>
    [PositiveDuration]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(10);

    [PositiveDuration]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts after which a delivery is given up (failed).</summary>
    [SettingRange(1, 100)]
    public int MaxAttempts { get; set; } = 12;

    [PositiveDuration]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [SettingRange(1, 1000)]
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a node holds a claimed delivery before another node may take it over; longer than <see cref="Timeout"/>.</summary>
    [PositiveDuration]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often expired PINs are looked for to announce <c>pin.expired</c>.</summary>
    [PositiveDuration]
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Webhooks per application.</summary>
    [SettingRange(1, 1000)]
    public int MaxPerApplication { get; set; } = 10;

    /// <summary>How long finished deliveries are kept for the deliveries endpoint.</summary>
    [PositiveDuration]
    public TimeSpan History { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The rules that relate several settings (each setting's own range is on its attribute).</summary>
    public IEnumerable<string> Problems(string section)
    {
        if (RetryMaxDelay < RetryInitialDelay)
        {
            yield return $"{section}:RetryMaxDelay ({RetryMaxDelay}) must not be shorter than RetryInitialDelay ({RetryInitialDelay})";
        }

        if (AllowedPorts.Any(p => p is < 1 or > 65535))
        {
            yield return $"{section}:AllowedPorts must list ports between 1 and 65535, was {string.Join(", ", AllowedPorts)}";
        }

        if (Lease <= Timeout * 2)
        {
            yield return $"{section}:Lease ({Lease}) must be longer than twice Timeout ({Timeout}), or another node could send a delivery this node still holds";
        }
    }
}
