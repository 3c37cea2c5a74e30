using System.Diagnostics;

namespace Chaos;

/// <summary>
/// <c>load</c>: concurrent requests of the given kinds for a time or a count; every response is classified and
/// written with its request id (and, with <c>--abort-share</c>, some given up on purpose). Refused connections (a gateway being restarted) are retried after a short pause.
/// </summary>
static class Load
{
    public static async Task<int> RunAsync(Options o)
    {
        var kinds = o.Get("kinds", string.Join(',', Traffic.AllKinds)).Split(',');
        var seconds = o.Double("seconds", 0);
        var requests = o.Int("requests", 0);
        var concurrency = o.Int("concurrency", 16);
        using var http = Traffic.NewClient(concurrency);
        var traffic = new Traffic(http, o.Required("gateway"), o.Required("key"), o.Required("model"), o.Get("canary", "chaos"),
            o.Get("provider-key") is { Length: > 0 } pk ? pk : null);
        var embedModel = o.Get("embed-model");
        var embeddings = embedModel.Length > 0 ? new Traffic(http, o.Required("gateway"), o.Required("key"), embedModel, o.Get("canary", "chaos")) : traffic;
        using var results = new ResultFile(o.Required("out"));
        var timeout = TimeSpan.FromSeconds(o.Double("timeout", 60));
        // A share of clients that give up at a random moment (the secrets scenario: a failure path that must not log prompts).
        var abortShare = o.Double("abort-share", 0);
        var clock = Stopwatch.StartNew();
        long next = 0;
        bool More(long n) => requests > 0 ? n < requests : clock.Elapsed.TotalSeconds < seconds;

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var random = new Random(w * 7919 + Environment.ProcessId);
            long n;
            while (More(n = Interlocked.Increment(ref next) - 1))
            {
                var kind = kinds[random.Next(kinds.Length)];
                TimeSpan? abort = random.NextDouble() < abortShare ? TimeSpan.FromMilliseconds(random.Next(0, 300)) : null;
                var r = await (kind == "embeddings" ? embeddings : traffic).SendAsync(kind, n, maxTokens: 16, timeout, abort);
                results.Add(r);
                if (r.Outcome == Outcome.Transport) await Task.Delay(100);
            }
        }));
        Console.WriteLine(results.Summary());
        return 0;
    }
}
