namespace OpenTfa.Testing.Server;

/// <summary>
/// One in-process server shared by a test class; each test makes its own applications, so tests
/// never meet. A subclass that overrides <see cref="StartAsync"/> shares a server set up otherwise.
/// </summary>
public class ServerFixture : SharedFixture<TestServer>
{
    public TestServer Server => Value;

    /// <summary>Starts a server with the test defaults of <see cref="TestServer.StartAsync"/>.</summary>
    protected override Task<TestServer> StartAsync() => TestServer.StartAsync();
}
