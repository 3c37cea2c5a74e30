using DuckDB.NET.Data;

namespace Gateway.Analytics;

/// <summary>A query's answer: column names and rows, ready for JSON, CSV or a table.</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// The finance and ops questions, answered by DuckDB over the exported tables. Every filter is a parameter and
/// every grouping is picked from a fixed list: no caller text ever becomes SQL.
/// </summary>
public static class AnalyticsQueries
{
    // Grouped on the raw columns; ids are turned into text only on the (few) result rows.
    internal static readonly Dictionary<string, string> Dimensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["model"] = "coalesce(model_served, model_asked)",
        ["provider"] = "provider_id",
        ["key"] = "key_id",
        ["team"] = "team_id",
        ["account"] = "account_id",
        ["route"] = "route",
        ["credential"] = "credential_kind",
        ["api"] = "coalesce(client_api, 'unknown')",
    };

    internal static readonly Dictionary<string, string> Buckets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["minute"] = "minute", ["hour"] = "hour", ["day"] = "day", ["week"] = "week", ["month"] = "month",
    };

    static readonly Dictionary<string, string> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["total"] = "total_ms", ["ttft"] = "ttft_ms", ["upstream"] = "upstream_ms", ["overhead"] = "overhead_ms",
    };

    public static IReadOnlyCollection<string> DimensionNames => Dimensions.Keys;
    public static IReadOnlyCollection<string> BucketNames => Buckets.Keys;
    public static IReadOnlyCollection<string> MetricNames => Metrics.Keys;

    /// <summary>p50, p95, p99 and mean of a latency (total, ttft, upstream, overhead) by a dimension per time bucket.</summary>
    public static QueryResult Latency(DuckDBConnection db, string metric, string by, string bucket, DateTimeOffset? from, DateTimeOffset? to)
    {
        var column = Pick(Metrics, metric, "metric");
        var group = Pick(Dimensions, by, "by");
        var trunc = Pick(Buckets, bucket, "bucket");
        // One quantile call with a list sorts each group once for all three percentiles.
        return Run(db, $"""
            select bucket, name::varchar as {by.ToLowerInvariant()}, requests, q[1] as p50_ms, q[2] as p95_ms, q[3] as p99_ms, mean_ms
            from (select date_trunc('{trunc}', time) as bucket, {group} as name, count(*) as requests,
                         quantile_cont({column}, [0.5, 0.95, 0.99]) as q, avg({column}) as mean_ms
                  from requests where {column} is not null and time >= $from and time < $to group by all)
            order by 1, 2
            """, from, to);
    }

    /// <summary>Cost, tokens and requests by a dimension, or per day, with the response cache's hits and what they saved.</summary>
    public static QueryResult Cost(DuckDBConnection db, string by, DateTimeOffset? from, DateTimeOffset? to)
    {
        var group = by.Equals("day", StringComparison.OrdinalIgnoreCase) ? "time::date" : Pick(Dimensions, by, "by");
        return Run(db, $"""
            select name::varchar as {by.ToLowerInvariant()}, requests, prompt_tokens, completion_tokens, cached_tokens, cost_usd,
                   cache_hits, saved_usd
            from (select {group} as name, count(*) as requests, sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens,
                         sum(cached_tokens) as cached_tokens, sum(cost) as cost_usd,
                         count(*) filter (where cache_hit) as cache_hits, sum(cost_saved) as saved_usd
                  from requests where time >= $from and time < $to group by all)
            order by cost_usd desc, 1
            """, from, to);
    }

    /// <summary>The N keys that cost most, each with its share of its team's and its account's spend.</summary>
    public static QueryResult TopKeys(DuckDBConnection db, int n, DateTimeOffset? from, DateTimeOffset? to) => Run(db, $"""
        with spend as (
            select key_id, any_value(team_id) as team_id, any_value(account_id) as account_id, sum(cost) as cost, count(*) as requests
            from requests where time >= $from and time < $to group by key_id)
        select key_id::varchar as key_id, team_id::varchar as team_id, account_id::varchar as account_id, requests, cost as cost_usd,
               round(100 * cost / nullif(sum(cost) over (partition by team_id), 0), 2) as pct_of_team,
               round(100 * cost / nullif(sum(cost) over (partition by account_id), 0), 2) as pct_of_account,
               round(100 * cost / nullif(sum(cost) over (), 0), 2) as pct_of_all
        from spend order by cost desc limit {Math.Clamp(n, 1, 1000)}
        """, from, to);

    /// <summary>Error rate and fallback rate by provider or model per bucket.</summary>
    public static QueryResult Reliability(DuckDBConnection db, string by, string bucket, DateTimeOffset? from, DateTimeOffset? to)
    {
        var group = Pick(Dimensions, by, "by");
        var trunc = Pick(Buckets, bucket, "bucket");
        return Run(db, $"""
            select bucket, name::varchar as {by.ToLowerInvariant()}, requests,
                   round(100.0 * errors / requests, 2) as error_pct, round(100.0 * fallbacks / requests, 2) as fallback_pct
            from (select date_trunc('{trunc}', time) as bucket, {group} as name, count(*) as requests,
                         count(*) filter (where status >= 400) as errors, count(*) filter (where fallback_used) as fallbacks
                  from requests where time >= $from and time < $to group by all)
            order by 1, 2
            """, from, to);
    }

    /// <summary>
    /// A DuckDB HUGEINT (what a sum of BIGINTs is) comes back as a BigInteger, which JSON would write as an object of
    /// its properties: a number instead, for every query.
    /// The tables' timestamps are UTC without a zone: said as UTC, so JSON writes the Z a browser needs.
    /// </summary>
    static object Plain(object value) => value switch
    {
        System.Numerics.BigInteger big => (decimal)big,
        DateTime { Kind: DateTimeKind.Unspecified } time => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => value,
    };

    internal static string Pick(Dictionary<string, string> choices, string value, string name) =>
        choices.TryGetValue(value ?? "", out var chosen)
            ? chosen
            : throw new ArgumentException($"{name} must be one of: {string.Join(", ", choices.Keys)}.", name);

    internal static QueryResult Run(DuckDBConnection db, string sql, DateTimeOffset? from, DateTimeOffset? to, params DuckDBParameter[] filters)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        // The tables hold UTC timestamps without a zone.
        command.Parameters.Add(new DuckDBParameter("from", (from ?? DateTimeOffset.UnixEpoch).UtcDateTime));
        command.Parameters.Add(new DuckDBParameter("to", (to ?? DateTimeOffset.UtcNow.AddYears(100)).UtcDateTime));
        foreach (var filter in filters) command.Parameters.Add(filter);
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : Plain(reader.GetValue(i));
            rows.Add(row);
        }
        return new QueryResult(columns, rows);
    }
}
