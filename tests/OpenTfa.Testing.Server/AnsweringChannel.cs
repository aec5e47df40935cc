using Microsoft.Extensions.Configuration;
using OpenTfa.Core.Delivery;

namespace OpenTfa.Testing.Server;

/// <summary>
/// A channel of one kind (<paramref name="carries"/>), and its own factory (type <paramref name="type"/>), that gives every
/// message the same <paramref name="answer"/> and counts the attempts: a gateway that is down, or a
/// provider that refuses every number.
/// </summary>
public sealed class AnsweringChannel(string name, string type, ChannelKind carries, DeliveryResult answer) : IMessageChannel, IChannelFactory
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public string Name => name;

    public string Type => type;

    public bool Supports(ChannelKind kind) => kind == carries;

    public Task<DeliveryResult> SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        return Task.FromResult(answer);
    }

    public IMessageChannel Create(string name, IConfigurationSection settings, IServiceProvider services) => this;
}
