namespace OpenTfa.Delivery.Smpp.Tests.Integration;

/// <summary>One SMSC simulator for the whole collection; tests that kill an SMSC start their own.</summary>
public sealed class SmscFixture : IAsyncLifetime
{
    private SmscProcess? smsc;

    public SmscProcess Smsc => smsc ?? throw new InvalidOperationException("The SMSC simulator is not running.");

    public async Task InitializeAsync() => smsc = await SmscProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (smsc is not null)
        {
            await smsc.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SmscCollection : ICollectionFixture<SmscFixture>
{
    public const string Name = "SMSC simulator";
}
