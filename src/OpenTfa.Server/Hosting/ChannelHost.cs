using OpenTfa.Core.Delivery;

namespace OpenTfa.Server.Hosting;

/// <summary>
/// Starts channels that hold connections (SMPP binds, …) and stops them on shutdown. It is
/// registered before the dispatcher, so it starts first and, hosted services stopping in
/// reverse order, stops after the dispatcher has handed back its leases.
/// </summary>
internal sealed class ChannelHost(ChannelRouter router) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        List<string> problems = router.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid OpenTfa routes:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems));
        }

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
