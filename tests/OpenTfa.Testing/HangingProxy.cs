using System.Net;
using System.Net.Sockets;

namespace OpenTfa.Testing;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server, which can be made to hang: once
/// <see cref="Hang"/> is called it still accepts connections but never answers, and the
/// connections already open stop carrying anything in either direction, as a database stuck
/// on its disk or behind a dead network path does. <see cref="Resume"/> lets new connections
/// through again (those opened while hung stay silent, as they would after such an outage).
/// </summary>
public sealed class HangingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private TaskCompletionSource _flowing = NewFlowing(open: true);

    private HangingProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static HangingProxy Start(int targetPort) => new(targetPort);

    /// <summary>From now on nothing passes: new connections are accepted and left unanswered.</summary>
    public void Hang()
    {
        lock (_gate)
        {
            if (_flowing.Task.IsCompleted)
            {
                _flowing = NewFlowing(open: false);
            }
        }
    }

    /// <summary>New connections reach the server again.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _flowing.TrySetResult();
        }
    }

    private static TaskCompletionSource NewFlowing(bool open)
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            flowing.SetResult();
        }

        return flowing;
    }

    private bool Hung
    {
        get
        {
            lock (_gate)
            {
                return !_flowing.Task.IsCompleted;
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Track(client);
            if (Hung)
            {
                // Accepted, never answered: the connection stays open until the proxy stops.
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        Track(server);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream()), PumpAsync(server.GetStream(), client.GetStream()));
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // The proxy is stopping, or one side went away.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Copies one direction; while the proxy hangs, what arrives is held back, not passed on.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                Task flowing;
                lock (_gate)
                {
                    flowing = _flowing.Task;
                }

                if (!flowing.IsCompleted)
                {
                    // A connection that hung stays hung: the server's side of it is stuck for good.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or SocketException)
        {
            // Stopping, or one side closed.
        }
    }

    private void Track(TcpClient client)
    {
        lock (_gate)
        {
            _open.Add(client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_gate)
        {
            foreach (TcpClient client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }

        _stop.Dispose();
    }
}
