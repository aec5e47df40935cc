namespace OpenTfa.Delivery.Smpp.Tests.Integration;

/// <summary>One SMSC simulator for the whole collection; tests that kill an SMSC start their own.</summary>
public sealed class SmscFixture : SharedFixture<SmscProcess>
{
    public SmscProcess Smsc => Value;

    protected override Task<SmscProcess> StartAsync() => SmscProcess.StartAsync();
}

[CollectionDefinition(Name)]
public sealed class SmscCollection : ICollectionFixture<SmscFixture>
{
    public const string Name = "SMSC simulator";
}
