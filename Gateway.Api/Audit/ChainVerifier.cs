namespace Gateway.Api.Audit;

/// <summary>
/// Chain verification on demand (the dashboard's "Verify now", <c>GET /admin/audit/chain</c>): one run at a time,
/// and a request that comes while nothing new was linked, within a minute of the last run, gets that run's report —
/// a full verification reads every event, and a page (or a page of another site on this host) must not be able to
/// make the gateway do that in a loop. <c>./gateway audit verify</c> always recomputes.
/// </summary>
public sealed class ChainVerifier(GatewayOptions options, TimeProvider time)
{
    static readonly TimeSpan Reuse = TimeSpan.FromMinutes(1);
    readonly SemaphoreSlim one = new(1, 1);
    (long Head, DateTimeOffset At, ChainReport Report)? last;

    public async Task<ChainReport> VerifyAsync(CancellationToken ct)
    {
        var store = new EventChainStore(options.Db, options.Schema);
        await one.WaitAsync(ct);
        try
        {
            var head = await store.HeadAsync(ct);
            if (last is { } previous && previous.Head == head && time.GetUtcNow() - previous.At < Reuse) return previous.Report;
            var report = await store.VerifyAsync(ct);
            last = (head, time.GetUtcNow(), report);
            return report;
        }
        finally
        {
            one.Release();
        }
    }
}
