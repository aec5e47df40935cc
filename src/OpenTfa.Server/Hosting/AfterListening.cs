namespace OpenTfa.Server.Hosting;

/// <summary>
/// Holds OpenTfa's background work (channel connections such as SMPP binds, the outbox
/// dispatcher, retention, webhooks) until the server listens, then starts it in the order it was
/// registered and stops it in reverse. Started with the host, the dispatcher would claim queued
/// messages and channels would bind to SMSCs before Kestrel binds its address; if that failed,
/// the messages stayed leased to a process that had already exited.
/// </summary>
internal sealed partial class AfterListening(IReadOnlyList<IHostedService> services, IHostApplicationLifetime lifetime, ILogger<AfterListening> logger) : IHostedService
{
    private readonly List<IHostedService> _started = [];
    private CancellationTokenRegistration _registration;

    /// <summary>Replaces every hosted service registered from OpenTfa's own code with one <see cref="AfterListening"/>.</summary>
    public static void Wrap(IServiceCollection services)
    {
        List<ServiceDescriptor> held = services.Where(d => d.ServiceType == typeof(IHostedService) && IsOpenTfa(d)).ToList();
        foreach (ServiceDescriptor descriptor in held)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton<IHostedService>(sp => new AfterListening(
            held.Select(d => Resolve(sp, d)).ToList(), sp.GetRequiredService<IHostApplicationLifetime>(), sp.GetRequiredService<ILogger<AfterListening>>()));
    }

    private static bool IsOpenTfa(ServiceDescriptor descriptor)
    {
        Type? declared = descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType() ?? descriptor.ImplementationFactory?.Method.DeclaringType;
        return declared?.Namespace?.StartsWith("OpenTfa", StringComparison.Ordinal) == true;
    }

    private static IHostedService Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IHostedService)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // ApplicationStarted fires once every hosted service, Kestrel included, has started.
        _registration = lifetime.ApplicationStarted.Register(StartHeld);
        return Task.CompletedTask;
    }

    private void StartHeld()
    {
        foreach (IHostedService service in services)
        {
            try
            {
                service.StartAsync(lifetime.ApplicationStopping).GetAwaiter().GetResult();
                _started.Add(service);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StartFailed(logger, ex, service.GetType().Name);
                lifetime.StopApplication();
                return;
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _registration.DisposeAsync();
        for (int i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Critical, "{Service} failed to start after the server began listening; the server stops")]
        public static partial void StartFailed(ILogger logger, Exception exception, string service);
    }
}
