using System.Globalization;
using Microsoft.Extensions.Options;
using OpenTfa.Core.Configuration;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Delivery.Smpp.Channels;

/// <summary>
/// One SMPP channel (<c>OpenTfa:Channels:&lt;name&gt;</c> with <c>Type</c> = <c>smpp</c>): the
/// connection settings of <see cref="SmppConnectionOptions"/> and the channel's own, all in
/// the same section; each class is bound from it as named options.
/// </summary>
public sealed class SmppChannelOptions
{
    /// <summary>The account's settings, bound from the same section.</summary>
    public SmppConnectionOptions Connection { get; init; } = new();

    /// <summary>The sender when the message has none (no template senderId, no OpenTfa:Pins default); empty lets the SMSC choose.</summary>
    public string? DefaultSender { get; set; }

    /// <summary>
    /// How long one send may wait for a bound session with room in its window (and for the
    /// throughput cap or a throttling pause) before it goes back to the outbox as a temporary
    /// failure. With ResponseTimeout it must stay below OpenTfa:Delivery:SendTimeout.
    /// </summary>
    [PositiveDuration]
    public TimeSpan LinkWaitTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

[OptionsValidator]
internal sealed partial class SmppChannelOptionsAttributes : IValidateOptions<SmppChannelOptions>;

/// <summary>The channel's own settings, checked against its connection's and the dispatcher's send timeout.</summary>
internal sealed class SmppChannelOptionsValidator(IOptions<DeliveryOptions> delivery, IOptionsMonitor<SmppConnectionOptions> connections) : ChannelSettingsValidator<SmppChannelOptions>
{
    protected override IValidateOptions<SmppChannelOptions> Attributes { get; } = new SmppChannelOptionsAttributes();

    protected override IEnumerable<string> Rules(string? name, string section, SmppChannelOptions options)
    {
        // The connection's own problems are its validator's to report; these rules need a valid one.
        SmppConnectionOptions? connection = Connection(name);
        if (connection is null)
        {
            yield break;
        }

        if (!string.IsNullOrEmpty(options.DefaultSender) && !SmppAddressing.TryGetSource(options.DefaultSender, connection, out _))
        {
            yield return $"{section}:DefaultSender must be a number of at most 20 digits (a leading + allowed) or a name of 1 to 11 printable ASCII characters; got '{options.DefaultSender}'";
        }

        TimeSpan sendTimeout = delivery.Value.SendTimeout;
        if (options.LinkWaitTimeout > TimeSpan.Zero && options.LinkWaitTimeout + connection.ResponseTimeout >= sendTimeout)
        {
            yield return $"{section}:LinkWaitTimeout ({Format(options.LinkWaitTimeout)}) plus {section}:ResponseTimeout ({Format(connection.ResponseTimeout)}) " +
                $"must be shorter than OpenTfa:Delivery:SendTimeout ({Format(sendTimeout)}), so that a send without a link ends as a temporary failure " +
                "rather than being cut off";
        }
    }

    private SmppConnectionOptions? Connection(string? name)
    {
        try
        {
            return connections.Get(name);
        }
        catch (OptionsValidationException)
        {
            return null;
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
