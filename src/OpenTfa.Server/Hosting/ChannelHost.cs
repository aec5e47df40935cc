using OpenTfa.Core.Delivery;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Starts channels that hold connections (SMPP binds, …) and stops them on shutdown. It is
/// registered before the dispatcher, so it starts first (once the server listens, see
/// <see cref="AfterListening"/>) and stops after the dispatcher has handed back its leases.
/// The routes were checked before the store was opened.
/// </summary>
internal sealed class ChannelHost(ChannelRouter router) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (IHostedService channel in router.Channels.OfType<IHostedService>())
        {
            await channel.StartAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (IHostedService channel in router.Channels.OfType<IHostedService>())
        {
            await channel.StopAsync(cancellationToken);
        }
    }
}
