// LLM-shaped load: many long-lived streams open at once, each a slow first token then a steady trickle of chunks,
// as real models answer. The same streamed chat runs directly against the mock provider, then through the gateway,
// back to back, each phase holding --streams streams open for --seconds. Reported per phase: time to first token,
// the gap between consecutive content chunks, errors; for the gateway phase, its RSS growth per open stream.
using System.Diagnostics;
using System.Net;
using System.Text;

var o = StreamArgs.Parse(args);
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = o.Streams + 16,
    AutomaticDecompression = DecompressionMethods.None,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    ConnectTimeout = TimeSpan.FromSeconds(30),
})
{
    Timeout = TimeSpan.FromSeconds(120),
};

Console.WriteLine($"LLM-shaped streams: {o.Streams} open at once for {o.Seconds} s per phase (after {o.WarmupSeconds} s of warm-up each), " +
                  $"mock TTFT {o.MockTtftMs} ms then {o.Chunks} chunks {o.ChunkMs} ms apart; times in ms.");
// The paths: the mock itself, a bare YARP forwarder in front of it (the floor: what .NET costs for a proxied stream),
// and the gateway.
StreamTarget[] paths =
[
    new("direct", o.Mock, o.Model, null, 0),
    .. o.Floor is null ? Array.Empty<StreamTarget>() : [new StreamTarget("yarp", o.Floor, o.Model, null, o.FloorPid)],
    new("gateway", o.Gateway, "mock/" + o.Model, o.Key, o.GatewayPid),
];
// Warm-up, not measured: connections on both sides, and the JIT, which otherwise spends the first tens of seconds of a
// new code path compiling it (first instrumented, then optimized: 40% of the gateway's CPU in a cold run).
if (o.WarmupSeconds > 0)
    foreach (var path in paths)
        await Phase.RunAsync(http, o with { Seconds = o.WarmupSeconds }, path);
var results = new List<(StreamTarget Path, Phase Phase)>();
foreach (var path in paths) results.Add((path, await Phase.RunAsync(http, o, path)));
var direct = results[0].Phase;
Console.WriteLine($"{"path",-8} {"streams",8} {"ttft_p50",9} {"ttft_p99",9} {"gap_p50",8} {"gap_p99",8} {"gap_max",8} {"total_p50",9} {"errors",7} {"chunks/s",9} {"rss_mb",7} {"kb/stream",9}");
foreach (var (path, phase) in results) phase.Print(path.Name, o.Streams);
// What each proxy adds to the mock's own figures.
foreach (var (path, phase) in results.Skip(1))
    Console.WriteLine($"{path.Name} added: ttft_p50 {phase.Ttft.Quantile(.5) - direct.Ttft.Quantile(.5):0.00} ms, " +
                      $"gap_p99 {phase.Gap.Quantile(.99) - direct.Gap.Quantile(.99):0.00} ms, " +
                      $"total_p50 {phase.Total.Quantile(.5) - direct.Total.Quantile(.5):0.00} ms");

/// <summary>One phase: workers that each keep one stream open at a time, restarting as soon as theirs ends.</summary>
sealed class Phase
{
    public Histogram Ttft { get; } = new();
    public Histogram Gap { get; } = new();
    public Histogram Total { get; } = new();
    int _errors, _completed;
    long _chunks;
    double _seconds;
    long _rssBeforeKb, _rssPeakKb;

    public static async Task<Phase> RunAsync(HttpClient http, StreamArgs o, StreamTarget target)
    {
        var phase = new Phase();
        var pid = target.Pid;
        phase._rssBeforeKb = target.IdleRssKb;
        phase._rssPeakKb = phase._rssBeforeKb;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(o.Seconds * Stopwatch.Frequency);
        using var sampling = new CancellationTokenSource();
        var sampler = pid > 0 ? Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                phase._rssPeakKb = Math.Max(phase._rssPeakKb, Rss.Kb(pid));
                try { await Task.Delay(100, sampling.Token); } catch (OperationCanceledException) { }
            }
        }) : Task.CompletedTask;
        // Open the streams over one second, not in one burst: a real fleet's clients do not all connect in the same instant.
        var workers = Enumerable.Range(0, o.Streams).Select(async i =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * i / o.Streams));
            while (Stopwatch.GetTimestamp() < stopAt)
                if (!await phase.OneStreamAsync(http, o, target))
                    await Task.Delay(50); // a failed stream is counted; do not turn the failure into a flood
        }).ToArray();
        await Task.WhenAll(workers);
        phase._seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        sampling.Cancel();
        await sampler;
        return phase;
    }

    async Task<bool> OneStreamAsync(HttpClient http, StreamArgs o, StreamTarget target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{target.BaseUrl}/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{target.Model}}","stream":true,"messages":[{"role":"user","content":"Tell me a long story"}]}""",
                Encoding.UTF8, "application/json"),
        };
        if (target.Key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + target.Key);
        var started = Stopwatch.GetTimestamp();
        long last = 0;
        var chunks = 0;
        var done = false;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref _errors); return false; }
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[8192];
            var pending = new List<byte>(1024);
            var kinds = new List<Sse.Kind>(4);
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                var now = Stopwatch.GetTimestamp();
                // Events end with a blank line; a read may hold several, or part of one.
                Sse.Events(pending, buffer.AsSpan(0, read), kinds);
                foreach (var evt in kinds)
                {
                    if (evt == Sse.Kind.Done) { done = true; continue; }
                    if (evt != Sse.Kind.Content) continue;
                    if (chunks == 0) Ttft.Add(Ms(started, now));
                    else Gap.Add(Ms(last, now));
                    last = now;
                    chunks++;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            Interlocked.Increment(ref _errors);
            return false;
        }
        if (!done || chunks != o.Chunks) { Interlocked.Increment(ref _errors); return false; }
        Total.Add(Ms(started, Stopwatch.GetTimestamp()));
        Interlocked.Add(ref _chunks, chunks);
        Interlocked.Increment(ref _completed);
        return true;
    }

    static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    public void Print(string label, int streams)
    {
        var growthKb = _rssPeakKb - _rssBeforeKb;
        Console.WriteLine($"{label,-8} {_completed,8} {Ttft.Quantile(.5),9:0.0} {Ttft.Quantile(.99),9:0.0} {Gap.Quantile(.5),8:0.0} " +
                          $"{Gap.Quantile(.99),8:0.0} {Gap.Max,8:0.0} {Total.Quantile(.5),9:0.0} {_errors,7} {_chunks / _seconds,9:0} " +
                          $"{(_rssPeakKb > 0 ? (_rssPeakKb / 1024).ToString() : "-"),7} {(_rssPeakKb > 0 ? ((double)growthKb / streams).ToString("0.0") : "-"),9}");
    }
}

/// <summary>Counts in 0.1 ms bins up to 60 s: a million samples without keeping them.</summary>
sealed class Histogram
{
    const double BinMs = 0.1;
    readonly long[] _bins = new long[600_000];
    long _count;
    public double Max { get; private set; }

    public void Add(double ms)
    {
        lock (_bins)
        {
            _bins[Math.Clamp((int)(ms / BinMs), 0, _bins.Length - 1)]++;
            _count++;
            if (ms > Max) Max = ms;
        }
    }

    public double Quantile(double q)
    {
        if (_count == 0) return double.NaN;
        var rank = (long)Math.Ceiling(q * _count);
        long seen = 0;
        for (var i = 0; i < _bins.Length; i++)
            if ((seen += _bins[i]) >= rank) return (i + 0.5) * BinMs;
        return Max;
    }
}

/// <summary>OpenAI chat SSE, read as it arrives: which complete events a read finished.</summary>
static class Sse
{
    public enum Kind { Other, Content, Done }

    public static void Events(List<byte> pending, ReadOnlySpan<byte> read, List<Kind> kinds)
    {
        kinds.Clear();
        while (!read.IsEmpty)
        {
            int end; // index in read of the event's last byte (the second newline)
            if (pending.Count > 0 && pending[^1] == (byte)'\n' && read[0] == (byte)'\n') end = 0;
            else
            {
                var i = read.IndexOf("\n\n"u8);
                if (i < 0) { pending.AddRange(read); return; }
                end = i + 1;
            }
            pending.AddRange(read[..(end + 1)]);
            ReadOnlySpan<byte> evt = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending);
            kinds.Add(evt.IndexOf("[DONE]"u8) >= 0 ? Kind.Done
                : evt.IndexOf("\"content\":\""u8) >= 0 && evt.IndexOf("\"content\":\"\""u8) < 0 ? Kind.Content
                : Kind.Other);
            pending.Clear();
            read = read[(end + 1)..];
        }
    }
}

static class Rss
{
    public static long Kb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim());
        }
        catch (IOException) { }
        return 0;
    }
}

/// <summary>Where a phase sends its streams: the URL, the model name there, the key if any, the process to watch (0: none).</summary>
sealed record StreamTarget(string Name, string BaseUrl, string Model, string? Key, int Pid)
{
    /// <summary>The process's RSS when the target was named, before any stream: what growth per stream is measured from.</summary>
    public long IdleRssKb { get; } = Pid > 0 ? Rss.Kb(Pid) : 0;
}

sealed record StreamArgs(string? Floor, int FloorPid, string Gateway, string Mock, string Key, string Model, int Streams, int Seconds, int MockTtftMs, int ChunkMs, int Chunks, int GatewayPid, int WarmupSeconds)
{
    public static StreamArgs Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        return new(args.Contains("--floor") ? Get("floor", "") : null, int.Parse(Get("floor-pid", "0")), Get("gateway", "http://127.0.0.1:19080"), Get("mock", "http://127.0.0.1:19090"), Get("key", ""), Get("model", "llm-stream"),
            int.Parse(Get("streams", "2000")), int.Parse(Get("seconds", "20")), int.Parse(Get("mock-ttft-ms", "500")),
            int.Parse(Get("chunk-ms", "20")), int.Parse(Get("chunks", "50")), int.Parse(Get("gateway-pid", "0")),
            int.Parse(Get("warmup-seconds", "15")));
    }
}
