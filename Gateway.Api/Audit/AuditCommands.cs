using System.Globalization;

namespace Gateway.Api.Audit;

/// <summary><c>./gateway audit …</c>: export history with its chain links, and verify the store or an export.</summary>
public static class AuditCommands
{
    public const string Usage = """
        ./gateway audit export [--from ISO-TIME] [--to ISO-TIME] --out FILE   JSON Lines of the events recorded in [from, to), with their chain links
        ./gateway audit verify                                              recompute the chain over the event store
        ./gateway audit verify FILE                                         check an export offline
        """;

    public static async Task<int> RunAsync(string[] args, GatewayOptions options)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        DateTimeOffset? Time(string name) => Option(name) is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal) : null;
        var chain = new EventChainStore(options.Db, options.Schema);
        switch (args.ElementAtOrDefault(1))
        {
            case "export" when Option("out") is { } path:
            {
                // Link what is not linked yet (unless a running gateway is doing it right now).
                await chain.TryCatchUpAsync(CancellationToken.None);
                var count = await AuditExport.WriteAsync(options.Db, options.Schema, Time("from") ?? DateTimeOffset.MinValue, Time("to") ?? DateTimeOffset.MaxValue, path, CancellationToken.None);
                Console.WriteLine($"{count} events written to {path}.");
                return 0;
            }
            case "verify" when args.ElementAtOrDefault(2) is { } file:
            {
                var (report, line) = await AuditExport.VerifyAsync(file, CancellationToken.None);
                return Print(report, line is null ? file : $"{file}, line {line}");
            }
            case "verify":
            {
                await chain.TryCatchUpAsync(CancellationToken.None);
                return Print(await chain.VerifyAsync(CancellationToken.None), "the event store");
            }
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    static int Print(ChainReport report, string where)
    {
        if (report.Intact)
        {
            Console.WriteLine($"Intact: {report.Events} events verified, chain head {report.Head}.");
            return 0;
        }
        var b = report.FirstBreak!;
        Console.WriteLine($"BROKEN in {where}: event seq {b.Seq}{(b.EventId is { } id ? $" (id {id}, {b.Type}, stream {b.StreamId})" : "")} — {b.Problem}. " +
                          $"{report.Events} events before it verified.");
        return 1;
    }
}
