using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Chaos;

/// <summary>One hostile request: the bytes sent and, for a body that never completes, the 408 the client must get.</summary>
sealed record HostileCase(string Name, byte[] Bytes, bool Stalls = false);

/// <summary>
/// <c>hostile</c>: sends every case of <see cref="HostileCorpus"/> over its own TCP connection and reads the status
/// line. A 5xx fails, and so does anything but 408 for a body that stalls; the rest are counted by status.
/// </summary>
static class Hostile
{
    public static async Task<int> RunAsync(Options o)
    {
        var port = new Uri(o.Required("gateway")).Port;
        var cases = HostileCorpus.All(o.Required("key"), o.Required("admin"), o.Get("model", "mock/gpt-4o-mini"));
        using var gate = new SemaphoreSlim(o.Int("parallel", 16));
        var results = await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try { return (Case: c, Status: await SendAsync(port, c)); }
            finally { gate.Release(); }
        }));
        await using var file = new StreamWriter(o.Required("out"));
        var failures = 0;
        foreach (var (c, status) in results)
        {
            var failed = status is >= 500 || (c.Stalls && status != 408);
            if (failed) failures++;
            await file.WriteLineAsync($"{(failed ? "FAIL" : "ok")} {(status?.ToString() ?? "none")} {c.Name}");
        }
        var byStatus = results.GroupBy(r => r.Status?.ToString() ?? "none").OrderBy(g => g.Key)
            .Select(g => $"{g.Key}:{g.Count()}");
        Console.WriteLine($"cases={results.Length} failures={failures} stalled_cases={cases.Count(c => c.Stalls)} by_status={string.Join(',', byStatus)}");
        return 0;
    }

    /// <returns>The response's status code, or null when the connection ended (or timed out) without one.</returns>
    static async Task<int?> SendAsync(int port, HostileCase c)
    {
        using var client = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(c.Stalls ? 30 : 20));
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cts.Token);
            var stream = client.GetStream();
            // Written while the answer is read: a server may answer (413) and stop reading long before the body ends.
            _ = WriteAsync(stream, c.Bytes, cts.Token);
            var received = new MemoryStream();
            var buffer = new byte[4096];
            var clock = Stopwatch.StartNew();
            while (true)
            {
                int n;
                try { n = await stream.ReadAsync(buffer, cts.Token); }
                catch (IOException) { n = 0; }
                if (n == 0) break;
                received.Write(buffer, 0, n);
                var text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
                var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (lineEnd > 0) return ParseStatus(text[..lineEnd]);
            }
            var all = Encoding.ASCII.GetString(received.ToArray());
            return all.Length > 0 ? ParseStatus(all.Split("\r\n")[0]) : null;
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    static async Task WriteAsync(NetworkStream stream, byte[] bytes, CancellationToken ct)
    {
        try { await stream.WriteAsync(bytes, ct); }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException) { }
    }

    static int? ParseStatus(string line)
    {
        var parts = line.Split(' ');
        return parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && int.TryParse(parts[1], out var s) ? s : null;
    }
}
