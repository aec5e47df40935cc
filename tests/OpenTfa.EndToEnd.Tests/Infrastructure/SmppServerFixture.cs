using OpenTfa.Delivery.Smpp.Tests.Integration;

namespace OpenTfa.EndToEnd.Tests.Infrastructure;

/// <summary>One SMSC simulator and one OpenTfa server sending SMS to it, shared by a collection.</summary>
public sealed class SmppServerFixture : ServerFixture
{
    private SmscProcess? _smsc;

    public SmscProcess Smsc => _smsc ?? throw new InvalidOperationException("The SMSC simulator is not running.");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_smsc is not null)
        {
            await _smsc.DisposeAsync();
        }
    }

    protected override async Task<TestServer> StartAsync()
    {
        _smsc = await SmscProcess.StartAsync();
        return await TestServer.StartAsync(Settings.Smpp(_smsc.Port));
    }
}

[CollectionDefinition(Name)]
public sealed class SmppServerCollection : ICollectionFixture<SmppServerFixture>
{
    public const string Name = "OpenTfa server with an SMSC";
}
