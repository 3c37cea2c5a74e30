using DuckDB.NET.Data;

namespace Gateway.Analytics;

/// <summary>The dashboard's four numbers (cost, tokens, requests, latency) plus error and fallback rates: over a period, and per time bucket.</summary>
public sealed record Overview(IReadOnlyDictionary<string, object?> Totals, QueryResult Series);

public static class OverviewQuery
{
    /// <summary>What "split by" may name: nothing, or a model or a provider.</summary>
    public static readonly string[] SplitNames = ["none", "model", "provider"];

    /// <summary>
    /// One scan for both the period's totals and each bucket's row. Latency percentiles are read from a log histogram
    /// with 1% wide bins (within 0.5% of the exact value, like a Prometheus histogram): a hash aggregate both cores
    /// share, where exact percentiles sort every row of the period again for the totals (1.5 s over 10 M rows here).
    /// <c>/admin/analytics/latency</c> gives exact ones.
    /// </summary>
    public static Overview Run(DuckDBConnection db, string bucket, string by, DateTimeOffset? from, DateTimeOffset? to)
    {
        var trunc = AnalyticsQueries.Pick(AnalyticsQueries.Buckets, bucket, "bucket");
        var group = by.Equals("none", StringComparison.OrdinalIgnoreCase) ? "null" : SplitBy(by);
        var all = AnalyticsQueries.Run(db, $"""
            with bins as (
                select date_trunc('{trunc}', time) as bucket, {group} as name, round(ln(greatest(total_ms, 0.01)) * 100)::integer as bin,
                       count(*) as n, sum(prompt_tokens) as prompt, sum(completion_tokens) as completion, sum(cost) as cost,
                       count(*) filter (where status >= 400) as errors, count(*) filter (where fallback_used) as fallbacks
                from requests where time >= $from and time < $to group by all),
            series as (
                select false as total, bucket, name, bin, n, prompt, completion, cost, errors, fallbacks from bins
                union all
                select true, null, null, bin, sum(n), sum(prompt), sum(completion), sum(cost), sum(errors), sum(fallbacks) from bins group by bin),
            running as (
                select *, sum(n) over (partition by total, bucket, name order by bin rows unbounded preceding) as below,
                          sum(n) over (partition by total, bucket, name) as count
                from series)
            select total, bucket, name::varchar as "group", sum(n)::bigint as requests, sum(prompt)::bigint as prompt_tokens,
                   sum(completion)::bigint as completion_tokens, sum(cost) as cost,
                   round(exp(min(bin) filter (where below >= 0.5 * count) / 100.0), 3) as p50_ms,
                   round(exp(min(bin) filter (where below >= 0.95 * count) / 100.0), 3) as p95_ms,
                   sum(errors) / sum(n) as error_rate, sum(fallbacks) / sum(n) as fallback_rate
            from running group by total, bucket, name
            order by total desc, bucket, "group"
            """, from, to);
        var columns = all.Columns.Skip(1).ToList();
        var totals = all.Rows.FirstOrDefault(r => r[0] is true);
        // An empty period: zero requests, zero money, no latency (rather than nulls for sums).
        var named = new Dictionary<string, object?>();
        foreach (var (column, i) in columns.Skip(2).Select((c, i) => (c, i + 3)))
            named[column] = totals?[i] ?? (column is "p50_ms" or "p95_ms" ? null : 0m);
        var rows = all.Rows.Where(r => r[0] is not true).Select(r => r[1..]).ToList();
        return new Overview(named, new QueryResult(columns, rows));
    }

    static string SplitBy(string by) =>
        by.Equals("model", StringComparison.OrdinalIgnoreCase) || by.Equals("provider", StringComparison.OrdinalIgnoreCase)
            ? AnalyticsQueries.Dimensions[by]
            : throw new ArgumentException($"by must be one of: {string.Join(", ", SplitNames)}.", nameof(by));
}
