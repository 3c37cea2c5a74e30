using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests;

/// <summary>
/// A loopback TCP relay to a real server (PostgreSQL), which a test can cut — every open connection dropped and new
/// ones refused — and restore on the same port: the database "goes away" without touching the shared cluster.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    readonly string targetHost;
    readonly int targetPort;
    readonly List<TcpClient> open = [];
    TcpListener? listener;
    CancellationTokenSource? running;

    public int Port { get; private set; }
    /// <summary>Connections accepted so far.</summary>
    public int Accepted => accepted;
    int accepted;

    TcpRelay(string targetHost, int targetPort) => (this.targetHost, this.targetPort) = (targetHost, targetPort);

    public static TcpRelay Start(string targetHost, int targetPort)
    {
        var relay = new TcpRelay(targetHost, targetPort);
        relay.Restore();
        return relay;
    }

    /// <summary>Listens again (on the same port once one was chosen).</summary>
    public void Restore()
    {
        if (running is { IsCancellationRequested: false }) return;
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        running = new CancellationTokenSource();
        _ = AcceptAsync(listener, running.Token);
    }

    /// <summary>Stops listening and drops every relayed connection.</summary>
    public void Cut()
    {
        running?.Cancel();
        listener?.Stop();
        lock (open)
        {
            foreach (var client in open) client.Dispose();
            open.Clear();
        }
    }

    async Task AcceptAsync(TcpListener on, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await on.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            Interlocked.Increment(ref accepted);
            _ = RelayAsync(inbound, ct);
        }
    }

    async Task RelayAsync(TcpClient inbound, CancellationToken ct)
    {
        var outbound = new TcpClient();
        lock (open) { open.Add(inbound); open.Add(outbound); }
        try
        {
            await outbound.ConnectAsync(targetHost, targetPort, ct);
            await using var a = inbound.GetStream();
            await using var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, ct), b.CopyToAsync(a, ct));
        }
        catch (Exception)
        {
            // Cut, or one side closed: both go.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (open) { open.Remove(inbound); open.Remove(outbound); }
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
