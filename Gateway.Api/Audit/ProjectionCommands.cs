using System.CommandLine;
using Gateway.Api.Cli;
using Marten;

namespace Gateway.Api.Audit;

/// <summary><c>./gateway projections rebuild [--only NAME]</c>: replay every event into fresh projections and compare with the live ones.</summary>
public static class ProjectionCommands
{
    public static Command Create() => new("projections", "The views folded from the events (docs/audit.md).") { Rebuild() };

    static Command Rebuild()
    {
        var only = new Option<string?>("--only") { Description = "Rebuild this projection alone (e.g. KeyView)", HelpName = "NAME" };
        var whileRunning = new Option<bool>("--while-running") { Description = "Rebuild even though a gateway is running (a quiet test system only)" };
        var command = new Command("rebuild", "Replay every event from zero into each projection and report what differs from the live one; run with the gateway stopped. Exits 1 when a projection differed.")
        {
            only, whileRunning,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            await using var host = CliHost.Build();
            var options = host.Options;
            // A rebuild empties and refills each projection: a running gateway would read half-built views meanwhile
            // (its keys and catalog among them) and its daemon would race the replay. Every running node links the audit
            // chain under an advisory lock; if that lock is taken, a gateway is up.
            await using (var running = await Gateway.Analytics.ExportLock.TryTakeAsync(options.Db, ct, Gateway.Analytics.ExportLock.ChainLockId(options.Schema)))
            {
                if (running is null && !parse.GetValue(whileRunning))
                {
                    error.WriteLine("A gateway is running against this database: stop it first (or pass --while-running for a quiet test system).");
                    return ExitCode.Busy;
                }
            }
            IReadOnlyList<ProjectionComparison> results;
            try
            {
                results = await ProjectionRebuild.RebuildAndCompareAsync(host.Services.GetRequiredService<IDocumentStore>(), options.Db, parse.GetValue(only), ct);
            }
            catch (ArgumentException ex)
            {
                // The projection names come from the store, so an unknown --only is found here rather than while parsing.
                error.WriteLine($"error: {ex.Message}");
                return ExitCode.Usage;
            }
            Print(output, results);
            return results.Any(r => r.Differences.Count > 0) ? ExitCode.Failed : ExitCode.Done;
        });
        return command;
    }

    static void Print(TextWriter output, IReadOnlyList<ProjectionComparison> results)
    {
        output.WriteLine($"{"projection",-24} {"live",10} {"rebuilt",10} {"seconds",9} {"differences",12}");
        foreach (var r in results)
            output.WriteLine($"{r.Projection,-24} {r.Live,10:N0} {r.Rebuilt,10:N0} {r.Took.TotalSeconds,9:0.00} {r.Differences.Count,12:N0}");
        var differing = results.Where(r => r.Differences.Count > 0).ToList();
        foreach (var r in differing)
        {
            output.WriteLine();
            output.WriteLine($"{r.Projection} ({r.Table}): {r.Differences.Count} documents differ from the events; the rebuilt ones now stand.");
            foreach (var d in r.Differences.Take(20))
                output.WriteLine($"  {d.Id}: {d.Kind}{(d.Field is null ? "" : $" at {d.Field}: live {d.Live ?? "(none)"}, from the events {d.Rebuilt ?? "(none)"}")}");
        }
        output.WriteLine(differing.Count == 0 ? "Every projection rebuilt from the events equals the live one." : "");
    }
}
