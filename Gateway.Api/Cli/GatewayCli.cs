using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Gateway.Api.Analytics;
using Gateway.Api.Audit;
using Gateway.Api.Pricing;

namespace Gateway.Api.Cli;

/// <summary>
/// <c>./gateway analytics|audit|projections|prices …</c>: the maintenance commands of the API host. Standard output
/// carries the command's data alone (and <c>--help</c>), so <c>| jq</c> works; errors and every log line of the host
/// and its libraries go to standard error. Exit codes are <see cref="ExitCode"/>'s.
/// </summary>
public static class GatewayCli
{
    static readonly string[] Verbs = ["analytics", "audit", "projections", "prices", "--help", "-h", "-?", "--version"];

    /// <summary>A maintenance command (or a question about them); anything else starts the web server.</summary>
    public static bool Handles(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static RootCommand Commands() => new("Maintenance commands of the gateway (./gateway help lists run, test, bench and db-shell).")
    {
        HelpName = "./gateway",
        Subcommands = { AnalyticsCommands.Create(), AuditCommands.Create(), ProjectionCommands.Create(), PricesCommand.Create() },
    };

    public static async Task<int> RunAsync(string[] args)
    {
        // Whatever writes to Console.Out from here on (a library, a logger) lands on standard error; the command's data
        // goes to the real standard output through the invocation's Output.
        var data = Console.Out;
        Console.SetOut(Console.Error);
        return await RunAsync(args, data, Console.Error);
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Commands().Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            var messages = parse.Errors.Select(e => OneLine(e.Message)).Distinct();
            error.WriteLine($"error: {string.Join(" ", messages)} See ./gateway {CommandPath(parse)} --help.");
            return ExitCode.Usage;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            error.WriteLine($"{CommandPath(parse)}: interrupted.");
            return ExitCode.Interrupted;
        }
        catch (Exception ex)
        {
            // The message only: a stack trace helps nobody at a terminal, and a wrapped database error could carry
            // the statement's parameters.
            var known = ex is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException
                or Npgsql.NpgsqlException or DuckDB.NET.Data.DuckDBException;
            error.WriteLine($"{CommandPath(parse)} failed: {(known ? "" : ex.GetType().Name + ": ")}{OneLine(ex.Message)}");
            return ExitCode.Failed;
        }
    }

    /// <summary>"analytics query cost" for the command the line named (as far as it got).</summary>
    static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Command is not RootCommand; result = (CommandResult)result.Parent!)
            names.Insert(0, result.Command.Name);
        return string.Join(' ', names);
    }

    static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
