using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Testing;

public static class FreePort
{
    /// <summary>A loopback TCP port the OS reports free right now (another process may still take it first).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
