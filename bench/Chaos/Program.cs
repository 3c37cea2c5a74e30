// The fault suite's client (./gateway chaos; bench/chaos/*.sh run it). Each command is bounded, talks to
// 127.0.0.1 only, writes one line per request to --out and prints one summary line for its scenario script:
//   load    --gateway URL --key K --model M (--seconds S | --requests N) [--concurrency C] [--kinds chat,chat-stream,…]
//           [--embed-model M] [--canary TEXT] [--provider-key K] [--abort-share P]   concurrent requests, each classified
//   aborts  --gateway URL --key K --admin A --budget ID --model M --seconds S [--concurrency C]
//                                                      clients giving up at random under a budget that is sampled every 50 ms
//   hostile --gateway URL --key K --admin A                    the hostile-input corpus over raw sockets
//   duckdb-scan --file F --needles LIST                         text cells of a DuckDB file holding each needle
using Chaos;

var options = new Options(args);
return args.FirstOrDefault() switch
{
    "load" => await Load.RunAsync(options),
    "aborts" => await Aborts.RunAsync(options),
    "hostile" => await Hostile.RunAsync(options),
    "duckdb-scan" => await DuckDbScan.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Chaos load|aborts|hostile|duckdb-scan --gateway URL … (see Program.cs)");
    return 2;
}
