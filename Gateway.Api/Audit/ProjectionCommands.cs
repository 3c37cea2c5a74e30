using Marten;

namespace Gateway.Api.Audit;

/// <summary><c>./gateway projections rebuild [--only NAME]</c>: replay every event into fresh projections and compare with the live ones.</summary>
public static class ProjectionCommands
{
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, GatewayOptions options)
    {
        if (args.ElementAtOrDefault(1) != "rebuild")
        {
            Console.Error.WriteLine("./gateway projections rebuild [--only NAME]   replay every event from zero into each projection and report what differs from the live one (gateway stopped)");
            return 2;
        }
        var i = Array.IndexOf(args, "--only");
        var only = i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        // A rebuild empties and refills each projection: a running gateway would read half-built views meanwhile
        // (its keys and catalog among them) and its daemon would race the replay. Every running node links the audit
        // chain under an advisory lock; if that lock is taken, a gateway is up.
        await using (var running = await Gateway.Analytics.ExportLock.TryTakeAsync(options.Db, CancellationToken.None, Gateway.Analytics.ExportLock.ChainLockId(options.Schema)))
        {
            if (running is null && !args.Contains("--while-running"))
            {
                Console.Error.WriteLine("A gateway is running against this database: stop it first (or pass --while-running for a quiet test system).");
                return 3;
            }
        }
        var store = services.GetRequiredService<IDocumentStore>();
        IReadOnlyList<ProjectionComparison> results;
        try
        {
            results = await ProjectionRebuild.RebuildAndCompareAsync(store, options.Db, only, CancellationToken.None);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        Console.WriteLine($"{"projection",-24} {"live",10} {"rebuilt",10} {"seconds",9} {"differences",12}");
        foreach (var r in results)
            Console.WriteLine($"{r.Projection,-24} {r.Live,10:N0} {r.Rebuilt,10:N0} {r.Took.TotalSeconds,9:0.00} {r.Differences.Count,12:N0}");
        var differing = results.Where(r => r.Differences.Count > 0).ToList();
        foreach (var r in differing)
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Projection} ({r.Table}): {r.Differences.Count} documents differ from the events; the rebuilt ones now stand.");
            foreach (var d in r.Differences.Take(20))
                Console.WriteLine($"  {d.Id}: {d.Kind}{(d.Field is null ? "" : $" at {d.Field}: live {d.Live ?? "(none)"}, from the events {d.Rebuilt ?? "(none)"}")}");
        }
        Console.WriteLine(differing.Count == 0 ? "Every projection rebuilt from the events equals the live one." : "");
        return differing.Count == 0 ? 0 : 1;
    }
}
