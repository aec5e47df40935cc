using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Observability.Tests.Infrastructure;

/// <summary>
/// A channel whose answers the test scripts: it accepts every message with the channel message
/// id <c>c-&lt;messageId&gt;</c>, except to destinations told to refuse, and keeps what it was given.
/// </summary>
public sealed partial class ScriptedChannel(string name) : IMessageChannel
{
    public const string Type = "scripted";

    private readonly ConcurrentQueue<OutgoingMessage> _sent = new();

    public ConcurrentDictionary<string, bool> Refused { get; } = new(StringComparer.Ordinal);

    public string Name => name;

    public IReadOnlyCollection<OutgoingMessage> Sent => _sent.ToArray();

    public bool Supports(ChannelKind kind) => true;

    public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        _sent.Enqueue(message);
        return Task.FromResult(Refused.ContainsKey(message.To)
            ? DeliveryResult.Permanent("the destination is barred")
            : DeliveryResult.Accepted("c-" + message.Id));
    }

    [GeneratedRegex("(?<pin>[0-9]{4,8})")]
    private static partial Regex Pin();

    /// <summary>Waits for the n-th message to <paramref name="to"/> (1-based).</summary>
    public async Task<OutgoingMessage> WaitForAsync(string to, int nth = 1)
    {
        OutgoingMessage[] matching = await Poll.UntilAsync(
            () => Task.FromResult(_sent.Where(m => m.To == to).ToArray()),
            found => found.Length >= nth,
            TimeSpan.FromSeconds(10),
            _ => $"No message #{nth} to {to}");
        return matching[nth - 1];
    }

    public async Task<string> WaitForPinAsync(string to, int nth = 1) => Pin().Match((await WaitForAsync(to, nth)).Content.Text).Groups["pin"].Value;
}

public sealed class ScriptedChannelFactory : IChannelFactory
{
    public ConcurrentDictionary<string, ScriptedChannel> Channels { get; } = new(StringComparer.OrdinalIgnoreCase);

    public string Type => ScriptedChannel.Type;

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) => Channels.GetOrAdd(name, n => new ScriptedChannel(n));
}
