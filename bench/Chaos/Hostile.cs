using System.Net.Sockets;
using System.Text;

namespace Chaos;

/// <summary>
/// One hostile request: the bytes sent and, where only one answer is right, that status — 408 for a body that never
/// completes (<paramref name="Stalls"/>), 400 for a body whose framing is broken.
/// </summary>
sealed record HostileCase(string Name, byte[] Bytes, bool Stalls = false, int? Expect = null)
{
    public int? Required => Stalls ? 408 : Expect;
}

/// <summary>
/// <c>hostile</c>: sends every case of <see cref="HostileCorpus"/> over its own TCP connection and reads the status
/// and headers. A 5xx fails, so does a success with an empty body (a request the gateway never really read), and so
/// does anything but the one right status where the case names it; the rest are counted by status.
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
            try { return (Case: c, Answer: await SendAsync(port, c)); }
            finally { gate.Release(); }
        }));
        await using var file = new StreamWriter(o.Required("out"));
        var failures = 0;
        foreach (var (c, (status, empty)) in results)
        {
            var failed = status is >= 500 || (c.Required is { } required && status != required) || (status is >= 200 and < 300 && empty);
            if (failed) failures++;
            await file.WriteLineAsync($"{(failed ? "FAIL" : "ok")} {(status?.ToString() ?? "none")}{(empty && status is >= 200 and < 300 ? "-empty" : "")} {c.Name}");
        }
        var byStatus = results.GroupBy(r => r.Answer.Status?.ToString() ?? "none").OrderBy(g => g.Key)
            .Select(g => $"{g.Key}:{g.Count()}");
        Console.WriteLine($"cases={results.Length} failures={failures} stalled_cases={cases.Count(c => c.Stalls)} by_status={string.Join(',', byStatus)}");
        return 0;
    }

    /// <returns>The response's status code (null when the connection ended or timed out without one), and whether it declared an empty body.</returns>
    static async Task<(int? Status, bool Empty)> SendAsync(int port, HostileCase c)
    {
        using var client = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(c.Stalls ? 30 : 20));
        var received = new MemoryStream();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cts.Token);
            var stream = client.GetStream();
            // Written while the answer is read: a server may answer (413) and stop reading long before the body ends.
            _ = WriteAsync(stream, c.Bytes, cts.Token);
            var buffer = new byte[4096];
            while (!HeadComplete(received))
            {
                int n;
                try { n = await stream.ReadAsync(buffer, cts.Token); }
                catch (IOException) { n = 0; }
                if (n == 0) break;
                received.Write(buffer, 0, n);
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // Whatever arrived before the failure still says what the server answered.
        }
        var head = Encoding.ASCII.GetString(received.ToArray());
        var end = head.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end >= 0) head = head[..end];
        var lines = head.Split("\r\n");
        var empty = lines.Any(l => l.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase));
        return (head.Length > 0 ? ParseStatus(lines[0]) : null, empty);
    }

    static bool HeadComplete(MemoryStream received) =>
        Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length).Contains("\r\n\r\n", StringComparison.Ordinal);

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
