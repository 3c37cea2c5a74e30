using DuckDB.NET.Data;

namespace Gateway.Analytics;

/// <summary>Filters of the request log; null means "any".</summary>
public sealed record RequestLogFilter(string? Key = null, string? Team = null, string? Model = null, int? Status = null, string? Route = null);

/// <summary>The request log: newest first, filtered, a page at a time (<c>before</c> a sequence number, so pages never shift as traffic arrives).</summary>
public static class RequestLogQuery
{
    public const int MaxPage = 500;

    public static QueryResult Run(DuckDBConnection db, RequestLogFilter filter, DateTimeOffset? from, DateTimeOffset? to, long? before, int limit) =>
        AnalyticsQueries.Run(db, $"""
            select seq, time, request_id, key_id, team_id, route, model_asked, model_served, provider_id, status, error_class,
                   attempts, fallback_used, streamed, prompt_tokens, completion_tokens, cost, total_ms, upstream_ms, overhead_ms
            from requests
            where time >= $from and time < $to
              and ($key is null or key_id = $key) and ($team is null or team_id = $team)
              and ($model is null or model_asked = $model or model_served = $model)
              and ($status is null or status = $status) and ($route is null or route = $route)
              and ($before is null or seq < $before)
            order by seq desc limit {Math.Clamp(limit, 1, MaxPage)}
            """, from, to,
            new DuckDBParameter("key", (object?)Blank(filter.Key) ?? DBNull.Value),
            new DuckDBParameter("team", (object?)Blank(filter.Team) ?? DBNull.Value),
            new DuckDBParameter("model", (object?)Blank(filter.Model) ?? DBNull.Value),
            new DuckDBParameter("status", (object?)filter.Status ?? DBNull.Value),
            new DuckDBParameter("route", (object?)Blank(filter.Route) ?? DBNull.Value),
            new DuckDBParameter("before", (object?)before ?? DBNull.Value));

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
