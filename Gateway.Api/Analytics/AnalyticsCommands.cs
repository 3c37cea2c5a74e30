using System.Globalization;
using System.Text.Json;
using Gateway.Analytics;
using Gateway.Api.Admin.Analytics;

namespace Gateway.Api.Analytics;

/// <summary>
/// <c>./gateway analytics …</c>: export (or <c>--rebuild</c>) to DuckDB, write Parquet partitioned by day, ask the
/// finance and ops questions (table, CSV or JSON), and reconcile the ledger for a period.
/// </summary>
public static class AnalyticsCommands
{
    public const string Usage = """
        ./gateway analytics export [--rebuild] [--batch EVENTS]   (events per DuckDB commit, 100,000 by default)
        ./gateway analytics parquet --out DIR
        ./gateway analytics query latency|cost|top-keys|reliability [--metric total|ttft|upstream|overhead] [--by model|provider|key|team|account|route|credential|day]
                                  [--bucket minute|hour|day|week|month] [--n 10] [--from ISO-TIME] [--to ISO-TIME] [--format table|csv|json]
        ./gateway analytics reconcile [--from ISO-TIME] [--to ISO-TIME]
        The DuckDB file is Gateway:AnalyticsPath, by default analytics.duckdb in GATEWAY_DATA.
        """;

    public static async Task<int> RunAsync(string[] args, GatewayOptions options)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        DateTimeOffset? Time(string name) => Option(name) is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture) : null;
        var file = options.AnalyticsFile;
        try
        {
            switch (args.ElementAtOrDefault(1))
            {
                case "export":
                {
                    await using var held = await ExportLock.TryTakeAsync(options.Db, CancellationToken.None, ExportLock.ExportLockId(options.Schema));
                    if (held is null)
                    {
                        Console.Error.WriteLine("Another exporter holds the export lock (a running gateway exports continuously); nothing to do.");
                        return 3;
                    }
                    var exporter = Option("batch") is not { } batch ? new EventExporter(options.Db, options.Schema, file)
                        : int.TryParse(batch, CultureInfo.InvariantCulture, out var size) && size > 0 ? new EventExporter(options.Db, options.Schema, file, size)
                        : throw new ArgumentException("--batch is a number of events per commit, at least 1.");
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    long committed = 0;
                    exporter.Committed = (watermark, events) =>
                        Console.WriteLine($"committed {committed += events} events (watermark {watermark}) after {started.Elapsed.TotalSeconds:0.00} s");
                    var count = args.Contains("--rebuild") ? await exporter.RebuildAsync() : await exporter.ExportAsync();
                    Console.WriteLine($"{count} events exported to {file} in {started.Elapsed.TotalSeconds:0.00} s (watermark {exporter.LastWatermark}).");
                    return 0;
                }
                case "parquet":
                {
                    var dir = Option("out") ?? throw new ArgumentException("--out DIR is required.");
                    Directory.CreateDirectory(dir);
                    using var db = AnalyticsSchema.OpenForReading(file, TimeSpan.FromSeconds(10));
                    foreach (var table in AnalyticsSchema.Tables)
                    {
                        using var command = db.CreateCommand();
                        var target = Path.Combine(Path.GetFullPath(dir), table).Replace("'", "''");
                        command.CommandText = $"copy (select *, strftime(time, '%Y-%m-%d') as day from {table}) to '{target}' (format parquet, partition_by (day), overwrite_or_ignore)";
                        command.ExecuteNonQuery();
                    }
                    Console.WriteLine($"Parquet written under {dir}/requests, {dir}/attempts and {dir}/budget_debits, one folder per day (day=YYYY-MM-DD).");
                    return 0;
                }
                case "query":
                {
                    using var db = AnalyticsSchema.OpenForReading(file, TimeSpan.FromSeconds(10));
                    var result = args.ElementAtOrDefault(2) switch
                    {
                        "latency" => AnalyticsQueries.Latency(db, Option("metric") ?? "total", Option("by") ?? "model", Option("bucket") ?? "hour", Time("from"), Time("to")),
                        "cost" => AnalyticsQueries.Cost(db, Option("by") ?? "key", Time("from"), Time("to")),
                        "top-keys" => AnalyticsQueries.TopKeys(db, int.Parse(Option("n") ?? "10", CultureInfo.InvariantCulture), Time("from"), Time("to")),
                        "reliability" => AnalyticsQueries.Reliability(db, Option("by") ?? "provider", Option("bucket") ?? "hour", Time("from"), Time("to")),
                        _ => throw new ArgumentException("query is one of latency, cost, top-keys, reliability."),
                    };
                    Console.Write((Option("format") ?? "table") switch
                    {
                        "csv" => AnalyticsEndpoints.Csv(result),
                        "json" => JsonSerializer.Serialize(new { columns = result.Columns, rows = result.Rows }) + Environment.NewLine,
                        _ => Table(result),
                    });
                    return 0;
                }
                case "reconcile":
                {
                    var report = await new Reconciler(options.Db, options.Schema, file).RunAsync(Time("from") ?? DateTimeOffset.UnixEpoch, Time("to") ?? DateTimeOffset.UtcNow);
                    Console.Write(Reconciler.Format(report));
                    return report.Agrees ? 0 : 1;
                }
                default:
                    Console.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message.Split(" (Parameter")[0]);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception ex) when (ex is DuckDB.NET.Data.DuckDBException or Npgsql.NpgsqlException or IOException or FormatException)
        {
            Console.Error.WriteLine($"analytics {args.ElementAtOrDefault(1)} failed: {ex.Message}");
            return 1;
        }
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
