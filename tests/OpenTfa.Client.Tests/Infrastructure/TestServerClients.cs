using OpenTfa.Client;
using OpenTfa.Testing;

namespace OpenTfa.Client.Tests.Infrastructure;

/// <summary>The typed client against the shared in-process test server.</summary>
public static class TestServerClients
{
    /// <summary>An <see cref="OpenTfaClient"/> presenting <paramref name="key"/> (none when null); every answer it gets is checked against the OpenAPI document.</summary>
    public static OpenTfaClient Sdk(this TestServer server, string? key = TestServer.BootstrapKey)
    {
        var http = new HttpClient(new OpenApiContractHandler(new SocketsHttpHandler()));
        new OpenTfaClientOptions { BaseAddress = server.BaseAddress, ApiKey = key, Timeout = TimeSpan.FromSeconds(60) }.ApplyTo(http);
        return new OpenTfaClient(http);
    }
}
