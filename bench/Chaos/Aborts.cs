using System.Diagnostics;

namespace Chaos;

/// <summary>
/// <c>aborts</c>: many clients against one budgeted key, non-streaming and streaming with <c>max_tokens</c> set, most
/// of them giving up at a random moment; meanwhile the budget's balance is sampled. At the end it waits for the
/// reservations to drain and prints the final balance beside the client counts and the samples.
/// </summary>
static class Aborts
{
    public static async Task<int> RunAsync(Options o)
    {
        var gateway = o.Required("gateway");
        var concurrency = o.Int("concurrency", 32);
        var seconds = o.Double("seconds", 30);
        var abortShare = o.Double("abort-share", 0.7);
        using var http = Traffic.NewClient(concurrency);
        using var adminHttp = Traffic.NewClient(4);
        var traffic = new Traffic(http, gateway, o.Required("key"), o.Required("model"), o.Get("canary", "chaos"));
        var sampler = new BudgetSampler(adminHttp, gateway, o.Required("admin"), o.Required("budget"));
        using var results = new ResultFile(o.Required("out"));
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(TimeSpan.FromMilliseconds(o.Int("sample-ms", 50)), stopSampling.Token);
        var clock = Stopwatch.StartNew();
        long next = 0;

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
        {
            var random = new Random(w * 104729 + Environment.ProcessId);
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var n = Interlocked.Increment(ref next);
                var kind = random.Next(4) switch { 0 => "chat", 1 => "chat-stream", 2 => "messages", _ => "messages-stream" };
                var streamed = kind.EndsWith("-stream", StringComparison.Ordinal);
                // Around the mock's 100 ms for a plain answer (where the answer and the abort race); anywhere in a stream.
                TimeSpan? abort = random.NextDouble() < abortShare
                    ? TimeSpan.FromMilliseconds(streamed ? random.Next(0, 900) : random.Next(60, 160))
                    : null;
                var r = await traffic.SendAsync(kind, n, maxTokens: random.Next(10, 41), TimeSpan.FromSeconds(30), abort);
                results.Add(r);
                if (r.Status == 429) await Task.Delay(random.Next(50, 150));
            }
        }));

        // Every reservation must end: wait for the ledger to show none left, then keep sampling a little longer.
        Console.Error.WriteLine("aborts: load done, waiting for reservations to drain");
        BudgetSampler.Balance? final = null;
        for (var i = 0; i < 100; i++)
        {
            final = await sampler.ReadAsync();
            if (final is { Reserved: 0 }) break;
            await Task.Delay(100);
        }
        await stopSampling.CancelAsync();
        await sampling;
        Console.WriteLine($"{results.Summary()} samples={sampler.Samples} sample_errors={sampler.Failed} over_limit_samples={sampler.OverLimit} " +
                          $"max_spent_plus_reserved={sampler.MaxCommitted} worst_sample={Worst(sampler.Worst)} limit={final?.Limit} final_spent={final?.Spent} final_reserved={final?.Reserved}");
        return 0;
    }

    static string Worst(BudgetSampler.Balance? b) => b is null ? "none" : $"{b.Spent}+{b.Reserved}/{b.Limit}";
}
