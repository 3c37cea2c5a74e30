using System.Globalization;
using System.Text;
using Gateway.Analytics;
using Gateway.Api.Analytics;
using Gateway.Api.ControlPlane;
using Wolverine.Http;

namespace Gateway.Api.Admin.Analytics;

/// <summary>
/// Finance and ops questions over the DuckDB export (admin, finance and auditor roles): latency percentiles, cost and
/// usage, top keys with their share of team and account spend, error and fallback rates. Filters are parameters;
/// groupings come from fixed lists. <c>format=csv</c> answers CSV, otherwise JSON <c>{columns, rows}</c>. Grouped
/// by provider, each row has the provider's id (<c>provider</c>) and its name (<c>provider_name</c>).
/// </summary>
public static class AnalyticsEndpoints
{
    [WolverineGet("/admin/analytics/status", OperationId = "analyticsStatus")]
    [Tags("analytics")]
    public static ExportStatus Status(AnalyticsExportService export) => export.Status;

    [WolverineGet("/admin/analytics/latency", OperationId = "analyticsLatency")]
    [Tags("analytics")]
    public static IResult Latency(string? metric, string? by, string? bucket, DateTimeOffset? from, DateTimeOffset? to, string? format, GatewayOptions options, ControlPlaneViews views) =>
        Answer(options, views, format, db => AnalyticsQueries.Latency(db, metric ?? "total", by ?? "model", bucket ?? "hour", from, to));

    [WolverineGet("/admin/analytics/cost", OperationId = "analyticsCost")]
    [Tags("analytics")]
    public static IResult Cost(string? by, DateTimeOffset? from, DateTimeOffset? to, string? format, GatewayOptions options, ControlPlaneViews views) =>
        Answer(options, views, format, db => AnalyticsQueries.Cost(db, by ?? "key", from, to));

    [WolverineGet("/admin/analytics/top-keys", OperationId = "analyticsTopKeys")]
    [Tags("analytics")]
    public static IResult TopKeys(int? n, DateTimeOffset? from, DateTimeOffset? to, string? format, GatewayOptions options, ControlPlaneViews views) =>
        Answer(options, views, format, db => AnalyticsQueries.TopKeys(db, n ?? 10, from, to));

    [WolverineGet("/admin/analytics/reliability", OperationId = "analyticsReliability")]
    [Tags("analytics")]
    public static IResult Reliability(string? by, string? bucket, DateTimeOffset? from, DateTimeOffset? to, string? format, GatewayOptions options, ControlPlaneViews views) =>
        Answer(options, views, format, db => AnalyticsQueries.Reliability(db, by ?? "provider", bucket ?? "hour", from, to));

    /// <summary>
    /// The dashboard's headline: requests, tokens, cost, latency p50/p95, error and fallback rates over the period
    /// (<c>totals</c>) and per time bucket, optionally split by model or provider (<c>columns</c>, <c>rows</c>).
    /// </summary>
    [WolverineGet("/admin/analytics/overview", OperationId = "analyticsOverview")]
    [Tags("analytics")]
    public static IResult Overview(string? bucket, string? by, DateTimeOffset? from, DateTimeOffset? to, GatewayOptions options, ControlPlaneViews views)
    {
        var (overview, refusal) = Ask(options, db => OverviewQuery.Run(db, bucket ?? "hour", by ?? "none", from, to));
        if (overview is null) return refusal!;
        var series = string.Equals(by, "provider", StringComparison.OrdinalIgnoreCase) ? overview.Series.WithNames("group", Names(views)) : overview.Series;
        return Results.Ok(new { totals = overview.Totals, columns = series.Columns, rows = series.Rows });
    }

    /// <summary>The request log from the export, newest first: filter by key, team, model, status, route and period; page with <c>before</c> (a <c>seq</c>).</summary>
    [WolverineGet("/admin/analytics/requests", OperationId = "analyticsRequests")]
    [Tags("analytics")]
    public static IResult Requests(string? key, string? team, string? model, int? status, string? route, DateTimeOffset? from, DateTimeOffset? to,
        long? before, int? limit, string? format, GatewayOptions options, ControlPlaneViews views) =>
        Answer(options, views, format, db => RequestLogQuery.Run(db, new RequestLogFilter(key, team, model, status, route), from, to, before, limit ?? 50),
            providerColumn: "provider_id");

    /// <summary>A query's answer as JSON or CSV, with <c>provider_name</c> beside its provider ids.</summary>
    static IResult Answer(GatewayOptions options, ControlPlaneViews views, string? format, Func<DuckDB.NET.Data.DuckDBConnection, QueryResult> query,
        string providerColumn = "provider")
    {
        var (answer, refusal) = Ask(options, query);
        if (answer is null) return refusal!;
        var result = answer.WithNames(providerColumn, Names(views), "provider_name");
        return string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            ? Results.Text(Csv(result), "text/csv")
            : Results.Ok(new { columns = result.Columns, rows = result.Rows });
    }

    /// <summary>Runs a question against the export; a filter or grouping it refuses is a 400 naming the parameter.</summary>
    static (T? Answer, IResult? Refusal) Ask<T>(GatewayOptions options, Func<DuckDB.NET.Data.DuckDBConnection, T> query) where T : class
    {
        try
        {
            using var db = AnalyticsSchema.Open(options.AnalyticsFile);
            return (query(db), null);
        }
        catch (ArgumentException ex)
        {
            return (null, Results.Problem(AdminProblems.Invalid(ex.ParamName ?? "query", ex.Message.Split(" (Parameter")[0])));
        }
    }

    static Func<string, string?> Names(ControlPlaneViews views) =>
        ProviderNames.Of(views.Current.ProvidersByName.Values.Select(p => (p.Id, p.Name)));

    /// <summary>
    /// Text a spreadsheet would run as a formula (a model name is whatever a /v1 caller sent) is led by a quote, so
    /// finance's spreadsheet shows it instead.
    /// </summary>
    static string Inert(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + text : text;

    public static string Csv(QueryResult result)
    {
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', result.Columns));
        foreach (var row in result.Rows)
            csv.AppendLine(string.Join(',', row.Select(v => v switch
            {
                null => "",
                DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
                DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => "\"" + Inert(other.ToString()!).Replace("\"", "\"\"") + "\"",
            })));
        return csv.ToString();
    }
}
