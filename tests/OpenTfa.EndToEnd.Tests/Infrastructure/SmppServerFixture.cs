using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>One SMSC simulator and one OpenTfa server sending SMS to it, shared by a collection.</summary>
public sealed class SmppServerFixture : IAsyncLifetime
{
    public SmscProcess Smsc { get; private set; } = null!;

    public InProcessServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Smsc = await SmscProcess.StartAsync();
        Server = await InProcessServer.StartAsync(Settings.Smpp(Smsc.Port));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Smsc is not null)
        {
            await Smsc.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SmppServerCollection : ICollectionFixture<SmppServerFixture>
{
    public const string Name = "OpenTfa server with an SMSC";
}
