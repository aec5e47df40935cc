namespace OpenTfa.Testing.Server;

/// <summary>One server shared by a test class; each test makes its own applications, so tests never meet.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
