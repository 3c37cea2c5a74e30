// Analytics benchmarks (issue 6), each bounded and on loopback:
//   export   --pg CONN --events N    : N synthetic request events written into the Marten event table with SQL,
//                                      then exported to a fresh DuckDB file by the gateway's own EventExporter; events/s.
//   generate --pg CONN --events N    : only the first half of export (the rebuild benchmark replays them).
//   queries  --rows N                : N synthetic rows in DuckDB, then p95-by-model-per-hour and cost-by-key through
//                                      the gateway's own AnalyticsQueries, 5 runs each; p50 and max seconds.
//   lag      --gateway URL --key K --admin A --rate R --seconds S : R requests/s for S seconds through the gateway,
//                                      sampling its continuous exporter's lag (now minus the newest exported event).
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Analytics;
using Npgsql;

string Arg(string name, string fallback)
{
    var i = Array.IndexOf(args, "--" + name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (args.FirstOrDefault())
{
    case "export": await ExportAsync(Arg("pg", ""), int.Parse(Arg("events", "500000"))); break;
    case "generate": await GenerateAsync(Arg("pg", ""), int.Parse(Arg("events", "1000000"))); break;
    case "queries": Queries(int.Parse(Arg("rows", "10000000"))); break;
    case "lag": await LagAsync(Arg("gateway", "http://127.0.0.1:19080"), Arg("key", ""), Arg("admin", ""), int.Parse(Arg("rate", "1000")), int.Parse(Arg("seconds", "20"))); break;
    default: Console.WriteLine("export | queries | lag"); break;
}

static async Task ExportAsync(string pg, int events)
{
    await GenerateAsync(pg, events);
    await ExportGeneratedAsync(pg);
}

static async Task GenerateAsync(string pg, int events)
{
    if (events <= 0) return;
    await using (var connection = new NpgsqlConnection(pg))
    {
        await connection.OpenAsync();
        var generate = Stopwatch.StartNew();
        // Shaped as the gateway's RequestCompleted events (camelCase JSON), one stream per request as the gateway writes them.
        await using var insert = new NpgsqlCommand($"""
            create temp table bench_ids as select i, gen_random_uuid() as sid from generate_series(1, {events}) i;
            insert into gateway.mt_streams (id, version, timestamp, created, tenant_id) select sid, 1, now(), now(), '*DEFAULT*' from bench_ids;
            insert into gateway.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, tenant_id)
            select nextval('gateway.mt_events_sequence'), gen_random_uuid(), sid, 1,
              jsonb_build_object('requestId', gen_random_uuid(), 'keyId', ('00000000-0000-0000-0000-' || lpad((i % 500)::text, 12, '0'))::uuid,
                'teamId', ('00000000-0000-0000-0001-' || lpad((i % 40)::text, 12, '0'))::uuid, 'operation', 'chat',
                'modelAsked', 'bench/m' || (i % 12), 'modelServed', 'bench/m' || (i % 12), 'status', case when i % 50 = 0 then 502 else 200 end,
                'promptTokens', 20 + i % 300, 'completionTokens', 50 + i % 700, 'totalTokens', 70 + i % 1000, 'cost', round((i % 1000) * 0.0000123, 9),
                'streamed', i % 3 = 0, 'upstreamTtfbMs', 100 + i % 900, 'upstreamMs', 300 + i % 2000, 'totalMs', 301 + i % 2000,
                'overheadMs', 0.01, 'startedAt', now() - (i || ' seconds')::interval, 'completedAt', now(),
                'providerId', '00000000-0000-0000-0002-000000000001', 'credentialKind', 'gateway', 'route', 'bench-route',
                'attempts', jsonb_build_array(jsonb_build_object('model', 'bench/m' || (i % 12), 'providerId', '00000000-0000-0000-0002-000000000001',
                  'status', case when i % 50 = 0 then 502 else 200 end, 'errorClass', case when i % 50 = 0 then 'server_error' end,
                  'latencyMs', 300 + i % 2000, 'outcome', case when i % 50 = 0 then 'failed' else 'served' end))),
              'request_completed', now(), 'Gateway.Domain.Requests.RequestCompleted, Gateway.Domain', '*DEFAULT*'
            from bench_ids
            """, connection);
        insert.CommandTimeout = 600;
        await insert.ExecuteNonQueryAsync();
        // Without the projection daemon here, set the high-water mark it would have set (no gaps: one transaction).
        await using var hwm = new NpgsqlCommand("""
            insert into gateway.mt_event_progression (name, last_seq_id) values ('HighWaterMark', (select max(seq_id) from gateway.mt_events))
            on conflict (name) do update set last_seq_id = excluded.last_seq_id
            """, connection);
        await hwm.ExecuteNonQueryAsync();
        Console.WriteLine($"generated {events:N0} request events in PostgreSQL in {generate.Elapsed.TotalSeconds:0.0} s");
    }
}

static async Task ExportGeneratedAsync(string pg)
{
    // A bulk load leaves PostgreSQL work behind (autovacuum of the new rows, a checkpoint of the WAL they filled) that
    // would otherwise run on the same two cores during the measurement; events written at a gateway's pace do not
    // arrive in one burst. Do that work first, as autovacuum would, and time it.
    var settle = Stopwatch.StartNew();
    await using (var connection = new NpgsqlConnection(pg))
    {
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("vacuum (analyze) gateway.mt_events", connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
        command.CommandText = "checkpoint";
        await command.ExecuteNonQueryAsync();
    }
    Console.WriteLine($"vacuum (analyze) of the event table and a checkpoint: {settle.Elapsed.TotalSeconds:0.0} s");

    // Four runs, each into a fresh DuckDB file: the first pays the JIT (a cold process); the next three are the steady
    // state of the gateway's long-running exporter.
    var steady = new List<double>();
    for (var run = 1; run <= 4; run++)
    {
        var file = Path.Combine(Path.GetTempPath(), $"bench-export-{Guid.NewGuid():N}.duckdb");
        var exporter = new EventExporter(pg, "gateway", file);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var exported = await exporter.ExportAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (run > 1) steady.Add(exported / seconds);
        Console.WriteLine($"run {run} ({(run == 1 ? "cold process" : "steady state")}): exported {exported:N0} events to DuckDB in {seconds:0.00} s: " +
                          $"{exported / seconds:N0} events/s (exporter CPU {cpu.TotalSeconds:0.0} s, {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} GCs so far)");
        File.Delete(file);
    }
    steady.Sort();
    Console.WriteLine($"steady state over {steady.Count} runs: median {steady[steady.Count / 2]:N0} events/s, min {steady[0]:N0}, max {steady[^1]:N0}");
}

static void Queries(int rows)
{
    var file = Path.Combine(Path.GetTempPath(), $"bench-queries-{Guid.NewGuid():N}.duckdb");
    using var db = AnalyticsSchema.Open(file);
    var fill = Stopwatch.StartNew();
    using (var command = db.CreateCommand())
    {
        command.CommandText = $"""
            insert into requests select i, timestamp '2026-11-01' + (i % 2592000) * interval 1 second, uuid()::varchar, null,
              '00000000-0000-0000-0001-' || lpad((i % 40)::varchar, 12, '0'), '00000000-0000-0000-0000-' || lpad((i % 5000)::varchar, 12, '0'),
              null, 'bench/m' || (i % 12), 'bench/m' || (i % 12), null, 'gateway', case when i % 50 = 0 then 502 else 200 end, null, 1, false, i % 3 = 0,
              20 + i % 300, 50 + i % 700, 0, false, ((i % 1000) * 0.0000123)::decimal(18, 9), 100 + i % 900, 300 + i % 2000, 0.01, 301 + (i * 7919) % 2000, i % 20 = 0, case when i % 20 = 0 then ((i % 1000) * 0.0000123)::decimal(18, 9) else 0 end, 'chat.completions'
            from range({rows}) t(i)
            """;
        command.ExecuteNonQuery();
    }
    Console.WriteLine($"{rows:N0} synthetic rows in DuckDB in {fill.Elapsed.TotalSeconds:0.0} s (30 days, 12 models, 5,000 keys)");
    Time("p95 total latency by model per hour (plus p50, p99, mean)", () => AnalyticsQueries.Latency(db, "total", "model", "hour", null, null).Rows.Count);
    Time("cost, tokens and requests by key", () => AnalyticsQueries.Cost(db, "key", null, null).Rows.Count);
    Time("top 10 keys with team and account share", () => AnalyticsQueries.TopKeys(db, 10, null, null).Rows.Count);
    // What the dashboard's pages ask when they open (Gateway.Api/Dashboard): every row of the 30 days is in range.
    var lastDay = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    Time("dashboard Overview, 30 d by day (totals + series)", () => OverviewQuery.Run(db, "day", "none", null, null).Series.Rows.Count);
    Time("dashboard Overview, 30 d by day split by model", () => OverviewQuery.Run(db, "day", "model", null, null).Series.Rows.Count);
    Time("dashboard Overview, last 24 h by hour split by model", () => OverviewQuery.Run(db, "hour", "model", lastDay, null).Series.Rows.Count);
    Time("dashboard Costs, 30 d (cost by key + top 10 keys)", () =>
        AnalyticsQueries.Cost(db, "key", null, null).Rows.Count + AnalyticsQueries.TopKeys(db, 10, null, null).Rows.Count);
    Time("dashboard Requests, newest 50", () => RequestLogQuery.Run(db, new RequestLogFilter(), null, null, null, 50).Rows.Count);
    Time("dashboard Requests, newest 50 of one model", () => RequestLogQuery.Run(db, new RequestLogFilter(Model: "bench/m7"), null, null, null, 50).Rows.Count);
    db.Close();
    File.Delete(file);

    static void Time(string label, Func<int> query)
    {
        var runs = new List<double>();
        var resultRows = 0;
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            resultRows = query();
            runs.Add(clock.Elapsed.TotalSeconds);
        }
        runs.Sort();
        Console.WriteLine($"{label}: {resultRows:N0} result rows; p50 {runs[2]:0.000} s, max {runs[^1]:0.000} s over 5 runs");
    }
}

static async Task LagAsync(string gateway, string key, string admin, int rate, int seconds)
{
    using var http = new HttpClient { BaseAddress = new Uri(gateway) };
    var body = System.Text.Encoding.UTF8.GetBytes("""{"model":"mock/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""");
    var sent = 0;
    var failed = 0;
    var lags = new List<double>();
    var end = DateTime.UtcNow.AddSeconds(seconds);
    var workers = Enumerable.Range(0, 16).Select(async w =>
    {
        var started = Stopwatch.StartNew();
        var mine = 0;
        while (DateTime.UtcNow < end)
        {
            // Pace: this worker's share of the rate.
            var due = TimeSpan.FromSeconds(mine * 16.0 / rate);
            if (due > started.Elapsed) await Task.Delay(due - started.Elapsed);
            mine++;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
            try
            {
                using var response = await http.SendAsync(request);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
            }
            catch (HttpRequestException) { Interlocked.Increment(ref failed); }
            Interlocked.Increment(ref sent);
        }
    }).ToList();
    var sampler = Task.Run(async () =>
    {
        await Task.Delay(3000); // the first seconds warm up
        while (DateTime.UtcNow < end)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/analytics/status");
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + admin);
            using var response = await http.SendAsync(request);
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (status.TryGetProperty("lastEventAt", out var at) && at.ValueKind == JsonValueKind.String)
                lock (lags) lags.Add((DateTimeOffset.UtcNow - at.GetDateTimeOffset()).TotalSeconds);
            await Task.Delay(250);
        }
    });
    await Task.WhenAll(workers);
    await sampler;
    lags.Sort();
    Console.WriteLine($"load: {sent:N0} requests in {seconds} s ({sent / (double)seconds:N0} req/s target {rate}), {failed} failed");
    Console.WriteLine(lags.Count == 0 ? "no lag samples" :
        $"export lag (now minus the newest exported event), {lags.Count} samples from second 3: p50 {lags[lags.Count / 2]:0.00} s, p95 {lags[(int)(lags.Count * 0.95)]:0.00} s, max {lags[^1]:0.00} s");
}
