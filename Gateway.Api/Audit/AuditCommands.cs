using System.CommandLine;
using System.Text.Json;
using Gateway.Api.Cli;
using Marten;

namespace Gateway.Api.Audit;

/// <summary><c>./gateway audit …</c>: time travel over the events, export history with its chain links, verify the store or an export, erase bodies.</summary>
public static class AuditCommands
{
    public static Command Create() => new("audit", "What was true, who changed it, and proof nothing was altered (docs/audit.md).")
    {
        Subcommands = { Export(), Verify(), State(), History(), Callers(), Requests(), Erase() },
    };

    static Command Export()
    {
        var from = CliInputs.Time("--from", "First instant exported (default: the first event)");
        var to = CliInputs.Time("--to", "End of the export, excluded (default: everything)");
        var path = new Option<string>("--out") { Description = "The JSON Lines file to write", HelpName = "FILE", Required = true };
        var command = new Command("export", "JSON Lines of the events recorded in [from, to), with their chain links (checkable offline by audit verify FILE).");
        CliInputs.Period(command, from, to);
        command.Options.Add(path);
        command.SetAction((parse, ct) => WithHost(async host =>
        {
            var options = host.Options;
            // Link what is not linked yet (unless a running gateway is doing it right now).
            await new EventChainStore(options.Db, options.Schema).TryCatchUpAsync(ct);
            var file = parse.GetRequiredValue(path);
            var count = await AuditExport.WriteAsync(options.Db, options.Schema, parse.GetValue(from) ?? DateTimeOffset.MinValue, parse.GetValue(to) ?? DateTimeOffset.MaxValue, file, ct);
            parse.InvocationConfiguration.Output.WriteLine($"{count} events written to {file}.");
            return ExitCode.Done;
        }));
        return command;
    }

    static Command Verify()
    {
        var file = new Argument<string?>("FILE") { Description = "An export to check offline (needs no database); without it, the event store is checked", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("verify", "Recompute the tamper-evidence chain; exits 1 at the first break.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(file) is { } path)
            {
                var (report, line) = await AuditExport.VerifyAsync(path, ct);
                return Print(output, report, line is null ? path : $"{path}, line {line}");
            }
            return await WithHost(async host =>
            {
                var chain = new EventChainStore(host.Options.Db, host.Options.Schema);
                await chain.TryCatchUpAsync(ct);
                return Print(output, await chain.VerifyAsync(ct), "the event store");
            });
        });
        return command;
    }

    static Command State()
    {
        var (entity, id) = Entity();
        var at = CliInputs.Time("--at", "The instant", required: true);
        var command = new Command("state", "An entity as it stood at an instant, folded from its events.") { entity, id, at };
        command.SetAction((parse, ct) => WithSession(async session =>
        {
            var (kind, guid, when) = (parse.GetValue(entity)!.ToLowerInvariant(), parse.GetValue(id), parse.GetValue(at)!.Value);
            return Json(parse, await TimeTravel.StateAtAsync(session, kind, guid, when, ct), $"No {kind} {guid} existed at {when:O}.");
        }));
        return command;
    }

    static Command History()
    {
        var (entity, id) = Entity();
        var command = new Command("history", "Every change of an entity in order: who, when, why, and its state after each.") { entity, id };
        command.SetAction((parse, ct) => WithSession(async session =>
        {
            var (kind, guid) = (parse.GetValue(entity)!.ToLowerInvariant(), parse.GetValue(id));
            var history = await TimeTravel.HistoryAsync(session, kind, guid, ct);
            return Json(parse, history.Count == 0 ? null : history, $"No {kind} {guid}.");
        }));
        return command;
    }

    static Command Callers()
    {
        var model = new Argument<string>("MODEL") { Description = "A catalog model's public id, e.g. mock/gpt-4o-mini" };
        var at = CliInputs.Time("--at", "The instant (default: now)");
        var command = new Command("callers", "The keys that could call a catalog model at an instant.") { model, at };
        command.SetAction((parse, ct) => WithSession(async session =>
        {
            var when = parse.GetValue(at) ?? DateTimeOffset.UtcNow;
            var name = parse.GetValue(model)!;
            var (found, keys) = await TimeTravel.CallersAsync(session, name, when, ct);
            return Json(parse, found is null ? null : new { at = when, model = found.PublicId, enabled = found.Enabled, keys }, $"No catalog model {name} existed at {when:O}.");
        }));
        return command;
    }

    static Command Requests()
    {
        var key = CliInputs.Id("KEY-ID", "The key's id");
        var from = CliInputs.Time("--from", "Start of the period (default: the first request)");
        var to = CliInputs.Time("--to", "End of the period, excluded (default: everything)");
        var command = new Command("requests", "Every request a key made in a period, with its cost.") { key };
        CliInputs.Period(command, from, to);
        command.SetAction((parse, ct) => WithSession(async session =>
        {
            var keyId = parse.GetValue(key);
            var requests = await TimeTravel.RequestsOfKeyAsync(session, keyId, parse.GetValue(from) ?? DateTimeOffset.MinValue, parse.GetValue(to) ?? DateTimeOffset.MaxValue, ct);
            return Json(parse, new { keyId, count = requests.Count, costUsd = requests.Sum(r => r.Cost), requests }, "");
        }));
        return command;
    }

    static Command Erase()
    {
        var request = CliInputs.IdOption("--request", "Erase the bodies of this request");
        var key = CliInputs.IdOption("--key", "Erase the bodies of every request of this key");
        var reason = new Option<string?>("--reason")
        {
            Description = "Why, kept forever in the chained ledger: cite a ticket, never put personal data in it",
            HelpName = "TEXT",
        };
        var command = new Command("erase", "Remove request and response bodies; the records (tokens, cost, model, time, key) stay.") { request, key, reason };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(request) is null) == (result.GetResult(key) is null))
                result.AddError("Give one of --request ID or --key ID.");
        });
        command.SetAction((parse, ct) => WithHost(async host =>
        {
            await using var session = host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
            session.SetHeader("actor", Environment.UserName);
            session.SetHeader("source", "cli");
            if (parse.GetValue(reason) is { } why) session.SetHeader("reason", why);
            var erased = parse.GetValue(request) is { } requestId
                ? await BodyErasure.EraseRequestAsync(session, requestId, ct)
                : await BodyErasure.EraseKeyAsync(session, parse.GetValue(key)!.Value, ct);
            parse.InvocationConfiguration.Output.WriteLine($"Erased the bodies of {erased} requests; their records (tokens, cost, model, time, key) stay.");
            return ExitCode.Done;
        }));
        return command;
    }

    static (Argument<string> Entity, Argument<Guid> Id) Entity() =>
        (CliInputs.Choice("ENTITY", "What to look at", TimeTravel.Entities), CliInputs.Id("ID", "Its id"));

    static async Task<int> WithHost(Func<CliHost, Task<int>> run)
    {
        await using var host = CliHost.Build();
        return await run(host);
    }

    static Task<int> WithSession(Func<IQuerySession, Task<int>> run) => WithHost(async host =>
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return await run(session);
    });

    static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static int Json(ParseResult parse, object? value, string notFound)
    {
        if (value is null)
        {
            parse.InvocationConfiguration.Error.WriteLine(notFound);
            return ExitCode.Failed;
        }
        parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(value, Indented));
        return ExitCode.Done;
    }

    static int Print(TextWriter output, ChainReport report, string where)
    {
        if (report.Intact)
        {
            output.WriteLine($"Intact: {report.Events} events verified, chain head {report.Head}.");
            return ExitCode.Done;
        }
        var b = report.FirstBreak!;
        output.WriteLine($"BROKEN in {where}: event seq {b.Seq}{(b.EventId is { } id ? $" (id {id}, {b.Type}, stream {b.StreamId})" : "")} — {b.Problem}. " +
                         $"{report.Events} events before it verified.");
        return ExitCode.Failed;
    }
}
