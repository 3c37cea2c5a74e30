using System.CommandLine;
using Gateway.Analytics;
using Gateway.Api.Cli;

namespace Gateway.Api.Analytics;

/// <summary>
/// <c>./gateway analytics …</c>: export (or <c>--rebuild</c>) to DuckDB, write Parquet partitioned by day, ask the
/// finance and ops questions (<see cref="AnalyticsQueryCommands"/>), and reconcile the ledger for a period.
/// The DuckDB file is Gateway:AnalyticsPath, by default analytics.duckdb in GATEWAY_DATA.
/// </summary>
public static class AnalyticsCommands
{
    public static Command Create() => new("analytics", "The ledger in DuckDB: export, Parquet, questions, reconciliation (docs/analytics.md).")
    {
        Subcommands = { Export(), Parquet(), AnalyticsQueryCommands.Create(), Reconcile() },
    };

    static Command Export()
    {
        var rebuild = new Option<bool>("--rebuild") { Description = "Empty the tables and export from the first event" };
        var batch = CliInputs.Count("--batch", "Events per DuckDB commit", 100_000, 1, 10_000_000);
        var command = new Command("export", "Export the events not exported yet (when no running gateway is exporting); prints a line per committed batch.")
        {
            rebuild, batch,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var host = CliHost.Build();
            var options = host.Options;
            await using var held = await ExportLock.TryTakeAsync(options.Db, ct, ExportLock.ExportLockId(options.Schema));
            if (held is null)
            {
                parse.InvocationConfiguration.Error.WriteLine("Another exporter holds the export lock (a running gateway exports continuously); nothing to do.");
                return ExitCode.Busy;
            }
            var exporter = new EventExporter(options.Db, options.Schema, options.AnalyticsFile, parse.GetValue(batch));
            var started = System.Diagnostics.Stopwatch.StartNew();
            long committed = 0;
            exporter.Committed = (watermark, events) =>
                output.WriteLine($"committed {committed += events} events (watermark {watermark}) after {started.Elapsed.TotalSeconds:0.00} s");
            var count = parse.GetValue(rebuild) ? await exporter.RebuildAsync(ct) : await exporter.ExportAsync(ct);
            output.WriteLine($"{count} events exported to {options.AnalyticsFile} in {started.Elapsed.TotalSeconds:0.00} s (watermark {exporter.LastWatermark}).");
            return ExitCode.Done;
        });
        return command;
    }

    static Command Parquet()
    {
        var outDir = new Option<string>("--out") { Description = "Folder to write into (created if missing)", HelpName = "DIR", Required = true };
        var command = new Command("parquet", "Write requests, attempts and budget_debits as Parquet, one folder per day (day=YYYY-MM-DD).") { outDir };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetRequiredValue(outDir);
            return WithHost(async host =>
            {
                using var db = OpenForReading(host.Options.AnalyticsFile);
                Directory.CreateDirectory(dir);
                foreach (var table in AnalyticsSchema.Tables)
                {
                    using var command = db.CreateCommand();
                    var target = Path.Combine(Path.GetFullPath(dir), table).Replace("'", "''");
                    command.CommandText = $"copy (select *, strftime(time, '%Y-%m-%d') as day from {table}) to '{target}' (format parquet, partition_by (day), overwrite_or_ignore)";
                    await command.ExecuteNonQueryAsync(ct);
                }
                parse.InvocationConfiguration.Output.WriteLine($"Parquet written under {dir}/requests, {dir}/attempts and {dir}/budget_debits, one folder per day (day=YYYY-MM-DD).");
                return ExitCode.Done;
            });
        });
        return command;
    }

    static Command Reconcile()
    {
        var from = CliInputs.Time("--from", "Start of the period (default: the first event)");
        var to = CliInputs.Time("--to", "End of the period, excluded (default: now)");
        var command = new Command("reconcile", "Compare each request's cost in the event store, in DuckDB and in its budget debits, and each budget balance with its debits; exits 1 on any difference.");
        CliInputs.Period(command, from, to);
        command.SetAction((parse, ct) => WithHost(async host =>
        {
            var options = host.Options;
            var report = await new Reconciler(options.Db, options.Schema, options.AnalyticsFile)
                .RunAsync(parse.GetValue(from) ?? DateTimeOffset.UnixEpoch, parse.GetValue(to) ?? DateTimeOffset.UtcNow, ct);
            parse.InvocationConfiguration.Output.Write(Reconciler.Format(report));
            return report.Agrees ? ExitCode.Done : ExitCode.Failed;
        }));
        return command;
    }

    internal static async Task<int> WithHost(Func<CliHost, Task<int>> run)
    {
        await using var host = CliHost.Build();
        return await run(host);
    }

    /// <summary>The exported file for reading; a missing one is said plainly rather than waited for.</summary>
    internal static DuckDB.NET.Data.DuckDBConnection OpenForReading(string file) =>
        File.Exists(file)
            ? AnalyticsSchema.OpenForReading(file, TimeSpan.FromSeconds(10))
            : throw new FileNotFoundException($"There is no analytics file at {file} yet: run ./gateway analytics export (a running gateway writes it continuously).");
}
