using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Analytics;
using Gateway.Api.Admin.Analytics;
using Gateway.Api.Cli;
using DuckDB.NET.Data;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Analytics;

/// <summary><c>./gateway analytics query latency|cost|top-keys|reliability</c>: the questions of <see cref="AnalyticsQueries"/>, as a table, CSV or JSON.</summary>
public static class AnalyticsQueryCommands
{
    public static Command Create() => new("query", "Ask a finance or ops question of the exported ledger.")
    {
        Subcommands = { Latency(), Cost(), TopKeys(), Reliability() },
    };

    static Command Latency()
    {
        var metric = CliInputs.Choice("--metric", "Which latency", "total", AnalyticsQueries.MetricNames);
        var by = CliInputs.Choice("--by", "Group by", "model", AnalyticsQueries.DimensionNames);
        var bucket = CliInputs.Choice("--bucket", "Time bucket", "hour", AnalyticsQueries.BucketNames);
        return Query("latency", "p50, p95, p99 and mean of a latency by a dimension per time bucket.", [metric, by, bucket],
            (db, parse, from, to) => AnalyticsQueries.Latency(db, parse.GetValue(metric)!, parse.GetValue(by)!, parse.GetValue(bucket)!, from, to));
    }

    static Command Cost()
    {
        var by = CliInputs.Choice("--by", "Group by", "key", [.. AnalyticsQueries.DimensionNames, "day"]);
        return Query("cost", "Cost, tokens and requests by a dimension, or per day.", [by],
            (db, parse, from, to) => AnalyticsQueries.Cost(db, parse.GetValue(by)!, from, to));
    }

    static Command TopKeys()
    {
        var n = CliInputs.Count("--n", "How many keys", 10, 1, 1000);
        return Query("top-keys", "The keys that cost most, with each one's share of its team's, account's and all spend.", [n],
            (db, parse, from, to) => AnalyticsQueries.TopKeys(db, parse.GetValue(n), from, to));
    }

    static Command Reliability()
    {
        var by = CliInputs.Choice("--by", "Group by", "provider", AnalyticsQueries.DimensionNames);
        var bucket = CliInputs.Choice("--bucket", "Time bucket", "hour", AnalyticsQueries.BucketNames);
        return Query("reliability", "Error rate and fallback rate by a dimension per time bucket.", [by, bucket],
            (db, parse, from, to) => AnalyticsQueries.Reliability(db, parse.GetValue(by)!, parse.GetValue(bucket)!, from, to));
    }

    /// <summary>A question's command: its own options, then the period and the format every question takes.</summary>
    static Command Query(string name, string description, Option[] own, Func<DuckDBConnection, ParseResult, DateTimeOffset?, DateTimeOffset?, QueryResult> ask)
    {
        var from = CliInputs.Time("--from", "Start of the period (default: the first request)");
        var to = CliInputs.Time("--to", "End of the period, excluded (default: everything)");
        var format = CliInputs.Choice("--format", "Output: an aligned table, CSV, or JSON {columns, rows}", "table", ["table", "csv", "json"]);
        var command = new Command(name, description);
        foreach (var option in own) command.Options.Add(option);
        CliInputs.Period(command, from, to);
        command.Options.Add(format);
        command.SetAction((parse, ct) => AnalyticsCommands.WithHost(async host =>
        {
            QueryResult result;
            using (var db = AnalyticsCommands.OpenForReading(host.Options.AnalyticsFile))
                result = ask(db, parse, parse.GetValue(from), parse.GetValue(to));
            if (result.Columns.Contains("provider"))
                result = result.WithNames("provider", await CatalogProvidersAsync(host, ct));
            parse.InvocationConfiguration.Output.Write(parse.GetValue(format)!.ToLowerInvariant() switch
            {
                "csv" => AnalyticsEndpoints.Csv(result),
                "json" => JsonSerializer.Serialize(new { columns = result.Columns, rows = result.Rows }) + Environment.NewLine,
                _ => Table(result),
            });
            return ExitCode.Done;
        }));
        return command;
    }

    /// <summary>Provider names from the catalog's projection (the CLI has no in-memory views).</summary>
    static async Task<Func<string, string?>> CatalogProvidersAsync(CliHost host, CancellationToken ct)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var providers = await session.Query<ProviderView>().ToListAsync(ct);
        return ProviderNames.Of(providers.Select(p => (p.Id, p.Name)));
    }

    static string Table(QueryResult result)
    {
        var cells = result.Rows.Select(r => r.Select(v => v switch
        {
            null => "",
            double d => d.ToString("0.###", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var o => o.ToString() ?? "",
        }).ToArray()).ToList();
        var widths = result.Columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var text = new System.Text.StringBuilder();
        text.AppendLine(string.Join("  ", result.Columns.Select((c, i) => c.PadRight(widths[i]))));
        foreach (var row in cells) text.AppendLine(string.Join("  ", row.Select((v, i) => v.PadRight(widths[i]))));
        return text.ToString();
    }
}
