using System.CommandLine;
using Gateway.Api.Cli;

namespace Gateway.Api.Pricing;

/// <summary><c>./gateway prices load</c>: apply the shipped starter price list (<see cref="StarterPrices"/>) to the catalog.</summary>
public static class PricesCommand
{
    public static Command Create()
    {
        var load = new Command("load", "Apply the shipped starter price list to the catalog models it names, as price changes effective now. A running gateway follows within its refresh interval.");
        load.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            await using var host = CliHost.Build();
            var applied = await host.Services.GetRequiredService<StarterPrices>().ApplyAsync(ct);
            foreach (var p in applied)
                output.WriteLine($"{p.PublicId}: input {p.InputPerMillion}, output {p.OutputPerMillion}, cached input {p.CachedInputPerMillion?.ToString() ?? "-"} USD per million tokens");
            output.WriteLine($"{applied.Count} catalog models repriced from the starter list ({StarterPrices.Read().Count} entries).");
            return ExitCode.Done;
        });
        return new Command("prices", "The catalog's prices (docs/governance.md).") { load };
    }
}
