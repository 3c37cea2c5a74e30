using System.Globalization;
using System.Text.Json;
using Marten;

namespace Gateway.Api.Audit;

/// <summary><c>./gateway audit …</c>: export history with its chain links, and verify the store or an export.</summary>
public static class AuditCommands
{
    public const string Usage = """
        ./gateway audit export [--from ISO-TIME] [--to ISO-TIME] --out FILE   JSON Lines of the events recorded in [from, to), with their chain links
        ./gateway audit verify                                              recompute the chain over the event store
        ./gateway audit verify FILE                                         check an export offline
        ./gateway audit state ENTITY ID --at ISO-TIME                        a key, team, account, budget, model, route, provider or admin-key as it stood then
        ./gateway audit history ENTITY ID                                   every change of it in order: who, when, why, and the state after each
        ./gateway audit callers MODEL [--at ISO-TIME]                        the keys that could call a catalog model then
        ./gateway audit requests KEY-ID [--from ISO-TIME] [--to ISO-TIME]   every request a key made in a period, with its cost
        ./gateway audit erase --request ID | --key ID [--reason TEXT]       remove request and response bodies (the records stay);
                                                                            the reason is kept forever in the chained ledger: never put personal data in it
        """;

    public static async Task<int> RunAsync(string[] args, IServiceProvider services, GatewayOptions options)
    {
        try
        {
            return await RunCommandAsync(args, services, options);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"{ex.Message} Ids are GUIDs, times ISO 8601 (e.g. 2026-11-28T10:00:00Z).");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
    }

    static async Task<int> RunCommandAsync(string[] args, IServiceProvider services, GatewayOptions options)
    {
        string? Option(string name)
        {
            var i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        DateTimeOffset? Time(string name) => Option(name) is { } t ? DateTimeOffset.Parse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) : null;
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
            case "state" or "history" when args.Length >= 3 && !TimeTravel.Entities.Contains(args[2]):
                Console.Error.WriteLine($"Unknown entity {args[2]}; one of {string.Join(", ", TimeTravel.Entities)}.");
                return 2;
            case "state" when args.Length >= 4 && Time("at") is { } at:
            {
                await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
                return Json(await TimeTravel.StateAtAsync(session, args[2], Guid.Parse(args[3]), at, CancellationToken.None), $"No {args[2]} {args[3]} existed at {at:O}.");
            }
            case "history" when args.Length >= 4:
            {
                await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
                var history = await TimeTravel.HistoryAsync(session, args[2], Guid.Parse(args[3]), CancellationToken.None);
                return Json(history.Count == 0 ? null : history, $"No {args[2]} {args[3]}.");
            }
            case "callers" when args.Length >= 3:
            {
                await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
                var at = Time("at") ?? DateTimeOffset.UtcNow;
                var (model, keys) = await TimeTravel.CallersAsync(session, args[2], at, CancellationToken.None);
                return Json(model is null ? null : new { at, model = model.PublicId, enabled = model.Enabled, keys }, $"No catalog model {args[2]} existed at {at:O}.");
            }
            case "requests" when args.Length >= 3:
            {
                await using var session = services.GetRequiredService<IDocumentStore>().QuerySession();
                var requests = await TimeTravel.RequestsOfKeyAsync(session, Guid.Parse(args[2]), Time("from") ?? DateTimeOffset.MinValue, Time("to") ?? DateTimeOffset.MaxValue, CancellationToken.None);
                return Json(new { keyId = args[2], count = requests.Count, costUsd = requests.Sum(r => r.Cost), requests }, "");
            }
            case "erase" when Option("request") is not null || Option("key") is not null:
            {
                await using var session = services.GetRequiredService<IDocumentStore>().LightweightSession();
                session.SetHeader("actor", Environment.UserName);
                session.SetHeader("source", "cli");
                if (Option("reason") is { } reason) session.SetHeader("reason", reason);
                var erased = Option("request") is { } request
                    ? await BodyErasure.EraseRequestAsync(session, Guid.Parse(request), CancellationToken.None)
                    : await BodyErasure.EraseKeyAsync(session, Guid.Parse(Option("key")!), CancellationToken.None);
                Console.WriteLine($"Erased the bodies of {erased} requests; their records (tokens, cost, model, time, key) stay.");
                return 0;
            }
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static int Json(object? value, string notFound)
    {
        if (value is null)
        {
            Console.Error.WriteLine(notFound);
            return 1;
        }
        Console.WriteLine(JsonSerializer.Serialize(value, Indented));
        return 0;
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
