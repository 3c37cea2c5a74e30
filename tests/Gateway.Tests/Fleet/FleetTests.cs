using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Gateway.Tests.Fleet;

/// <summary>
/// Three nodes behind haproxy, one PostgreSQL: a budget, a rate limit and a revocation hold across the fleet, and a
/// node killed with SIGKILL loses no record, gives its leases back through the sweep, and hands its leader jobs on.
/// Each test prints its figures (./gateway fleet shows them).
/// </summary>
[CollectionDefinition(Name)]
public class FleetCollection : ICollectionFixture<FleetFixture>
{
    public const string Name = "fleet";
}

[Collection(FleetCollection.Name)]
public class FleetTests(FleetFixture fleet, Xunit.Abstractions.ITestOutputHelper output)
{
    const decimal PerRequest = 0.07m;

    static object Ask(string model) => new { model, max_tokens = 7, messages = new[] { new { role = "user", content = "Hello there general Kenobi" } } };

    [Fact]
    public async Task six_hundred_concurrent_requests_through_the_balancer_against_a_budget_for_one_hundred_never_spend_past_it()
    {
        var key = await fleet.NewKeyAsync();
        var model = await fleet.NewModelAsync();
        var limit = 100 * PerRequest;
        var budget = await fleet.AdminAsync(HttpMethod.Post, "/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = limit, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        await Task.Delay(300); // the budget reaches nodes 2 and 3 by notification
        using var client = fleet.Client(key.Secret);

        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 600).Select(async _ =>
        {
            using var response = await Chat.PostAsync(client, Ask(model));
            return response.StatusCode;
        }));
        clock.Stop();

        var served = statuses.Count(s => s == HttpStatusCode.OK);
        var spent = await fleet.QueryAsync<decimal>(
            "select coalesce(sum((data->>'amount')::numeric), 0) from gateway.mt_events where type = 'budget_debited' and data->'budgets' @> jsonb_build_array(jsonb_build_object('budgetId', $1::text))",
            budgetId.ToString());
        var handedOut = await fleet.QueryAsync<decimal>(
            "select coalesce((data->>'granted')::numeric, 0) - coalesce((data->>'returned')::numeric, 0) - coalesce((data->>'reclaimed')::numeric, 0) " +
            "from gateway.mt_doc_budgetallotment where data->>'budgetId' = $1", budgetId.ToString());
        var leases = await fleet.QueryAsync<long>("select count(distinct data->>'leaseId') from gateway.mt_events where type = 'budget_lease_granted' and data->>'budgetId' = $1", budgetId.ToString());
        output.WriteLine($"budget: 600 concurrent through haproxy to 3 nodes, limit {limit} USD ({limit / PerRequest:0} requests): served {served}, " +
            $"refused {statuses.Count(s => s == HttpStatusCode.TooManyRequests)}, other {statuses.Count(s => s is not HttpStatusCode.OK and not HttpStatusCode.TooManyRequests)}; " +
            $"debited {spent} USD, handed out {handedOut} USD in {leases} leases; {clock.ElapsedMilliseconds} ms");
        Assert.True(spent <= limit, $"spent {spent} past the limit {limit}");
        Assert.Equal(served * PerRequest, spent);
        Assert.True(served >= 95, $"only {served} served");
        Assert.Equal(600, statuses.Count(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task a_key_revoked_through_node_one_is_refused_by_nodes_two_and_three_within_a_second()
    {
        var key = await fleet.NewKeyAsync();
        var model = await fleet.NewModelAsync(outputPerMillion: 1m);
        using var second = fleet.Client(key.Secret, fleet.Nodes[1].Url);
        using var third = fleet.Client(key.Secret, fleet.Nodes[2].Url);
        foreach (var client in new[] { second, third })
            await Eventually.ReadAsync(async () => { using var r = await Chat.PostAsync(client, Ask(model)); return r.StatusCode; }, s => s == HttpStatusCode.OK);

        var call = Stopwatch.StartNew();
        await fleet.AdminAsync(HttpMethod.Post, $"/admin/keys/{key.Id}/revoke", new { reason = "leaked" });
        // Timed from the revoke's commit (the call has returned: node 1 refuses the key from here on).
        var callTook = call.Elapsed;
        var revoked = Stopwatch.StartNew();
        var refusedAfter = await Task.WhenAll(new[] { second, third }.Select(async client =>
        {
            while (revoked.Elapsed < TimeSpan.FromSeconds(10))
            {
                using var response = await Chat.PostAsync(client, Ask(model));
                if (response.StatusCode == HttpStatusCode.Unauthorized) return revoked.Elapsed;
                await Task.Delay(5);
            }
            return revoked.Elapsed;
        }));

        output.WriteLine($"revoke through node 1 (the call took {callTook.TotalMilliseconds:0} ms): refused by node 2 {refusedAfter[0].TotalMilliseconds:0} ms after it returned, node 3 after {refusedAfter[1].TotalMilliseconds:0} ms");
        Assert.All(refusedAfter, t => Assert.True(t <= TimeSpan.FromSeconds(1), $"refused after {t.TotalMilliseconds:0} ms"));
    }

    [Fact]
    public async Task a_limit_of_sixty_requests_a_window_across_three_nodes_serves_fifty_seven_to_sixty_three_per_window_of_flooding()
    {
        var key = await fleet.NewKeyAsync();
        var model = await fleet.NewModelAsync(outputPerMillion: 1m);
        await fleet.AdminAsync(HttpMethod.Put, $"/admin/keys/{key.Id}/scope", new { requestsPerMinute = 60 });
        await Task.Delay(300);
        using var client = fleet.Client(key.Secret);
        // Flood two whole windows (6 s each here), from the start of one: windows are aligned to the epoch on every node.
        // Each window's flood stops a second before its end, so that on a loaded machine no request is still on its way
        // to admission when the window ends (a window's permits go in its first moments under a flood anyway).
        var windowMs = (long)FleetFixture.RateWindow.TotalMilliseconds;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var start = (now / windowMs + 1) * windowMs;
        await Task.Delay(TimeSpan.FromMilliseconds(start - now));
        var served = new long[2];
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            while (true)
            {
                var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var phase = (sent - start) / windowMs;
                if (phase >= 2) return;
                var stopAt = start + (phase + 1) * windowMs - 1000;
                if (sent >= stopAt)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(stopAt + 1000 - sent));
                    continue;
                }
                using var response = await Chat.PostAsync(client, Ask(model));
                // Counted in the window the node took it in (a request can wait in a busy machine's queues): its request id
                // is a version 7 UUID of the instant the node began with it.
                var arrived = Convert.ToInt64(response.Headers.GetValues("x-request-id").First().Replace("-", "")[..12], 16);
                var window = (arrived - start) / windowMs;
                if (response.StatusCode == HttpStatusCode.OK && window is 0 or 1) Interlocked.Increment(ref served[window]);
                else if (response.StatusCode == HttpStatusCode.TooManyRequests) Interlocked.Increment(ref refused);
            }
        }));

        // What the fleet handed out in each window, from the window table: never more than the limit.
        var segmentMs = windowMs / 6;
        var handedOut = new long[2];
        for (var w = 0; w < 2; w++)
            handedOut[w] = await fleet.QueryAsync<long>(
                "select coalesce(sum(used), 0)::bigint from gateway.rate_windows where limiter = $1 and segment >= $2 and segment < $3",
                $"{key.Id:N}:r", (start + w * windowMs) / segmentMs, (start + (w + 1) * windowMs) / segmentMs);
        output.WriteLine($"rate limit: 60 per {FleetFixture.RateWindow.TotalSeconds:0} s window across 3 nodes, 12 clients flooding through haproxy: " +
            $"served {served[0]} in the first window, {served[1]} in the second; permits handed out {handedOut[0]} and {handedOut[1]}; refused {refused}");
        Assert.All(handedOut, h => Assert.InRange(h, 0, 60));
        Assert.All(served, s => Assert.InRange(s, 57, 63));
    }

    [Fact]
    public async Task a_node_killed_under_load_loses_no_record_its_leases_come_back_and_its_leader_jobs_move()
    {
        var key = await fleet.NewKeyAsync();
        var model = await fleet.NewModelAsync(outputPerMillion: 1m);
        var budget = await fleet.AdminAsync(HttpMethod.Post, "/admin/budgets", new { scope = "key", scopeId = key.Id, limitUsd = 1000m, period = "lifetime" });
        var budgetId = budget.GetProperty("id").GetGuid();
        await Task.Delay(300);
        // The leader: the node whose connection holds the analytics exporter's advisory lock.
        var lockId = Gateway.Analytics.ExportLock.ExportLockId("gateway");
        var leaderName = await Eventually.ReadAsync(() => HolderAsync(lockId), name => name is not null);
        var leader = fleet.Nodes.Single(n => n.Name == leaderName);
        // Its session locks (a lock seen twice; a transaction's lock comes and goes).
        var jobs = await LocksOfAsync(leader.Name);
        await Task.Delay(300);
        jobs = jobs.Intersect(await LocksOfAsync(leader.Name)).ToList();
        using var client = fleet.Client(key.Secret);

        var results = new System.Collections.Concurrent.ConcurrentBag<(HttpStatusCode Status, Guid? Id)>();
        var errors = 0;
        var errorKinds = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var killedAt = new Stopwatch();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var load = Task.WhenAll(Enumerable.Range(0, 24).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await Chat.PostAsync(client, Ask(model));
                    var body = await response.Content.ReadAsStringAsync();
                    results.Add((response.StatusCode, response.Headers.TryGetValues("x-request-id", out var ids) && Guid.TryParse(ids.First(), out var id) ? id : null));
                }
                catch (HttpRequestException ex)
                {
                    Interlocked.Increment(ref errors);
                    errorKinds.Enqueue($"{killedAt.ElapsedMilliseconds} ms after the kill: {ex.HttpRequestError} {ex.InnerException?.Message ?? ex.Message}");
                }
            }
        }));
        try
        {
            await Task.Delay(3000);
            killedAt.Start();
            leader.Kill9();
            // Its leases come back (the sweep, on a surviving node, expires them once it has not been seen for the lease
            // lifetime) and its leader jobs move (every advisory lock it held is held by another node): timed side by side.
            var leasesBack = Task.Run(async () =>
            {
                await Eventually.ReadAsync(async () => await fleet.QueryAsync<long>(
                    "select count(*) from gateway.mt_events where type = 'budget_lease_expired' and data->>'budgetId' = $1", budgetId.ToString()), n => n > 0, tries: 300, delayMs: 50);
                return killedAt.Elapsed;
            });
            var movedAt = new System.Collections.Concurrent.ConcurrentDictionary<long, TimeSpan>();
            var jobsMoved = Task.Run(async () =>
            {
                await Eventually.ReadAsync(async () =>
                {
                    foreach (var job in jobs.Where(j => !movedAt.ContainsKey(j)))
                        if (await HolderAsync(job) is { } holder && holder != leader.Name) movedAt[job] = killedAt.Elapsed;
                    return movedAt.Count == jobs.Count;
                }, moved => moved, tries: 300, delayMs: 50);
                return killedAt.Elapsed;
            });
            await load;

            // Every response served whole has its one record.
            var served = results.Where(r => r.Status == HttpStatusCode.OK).ToList();
            var ids = served.Select(r => r.Id!.Value).ToArray();
            var recorded = await fleet.QueryAsync<long>("select count(distinct stream_id) from gateway.mt_events where type = 'request_completed' and stream_id = any($1)", ids);
            var failed = results.Count(r => r.Status != HttpStatusCode.OK) + errors;

            var (leasesBackAfter, jobsMovedAfter) = (await leasesBack, await jobsMoved);
            var handedOut = await fleet.QueryAsync<decimal>(
                "select (data->>'granted')::numeric - (data->>'returned')::numeric - (data->>'reclaimed')::numeric from gateway.mt_doc_budgetallotment where data->>'budgetId' = $1", budgetId.ToString());
            var debited = await fleet.QueryAsync<decimal>(
                "select coalesce(sum((data->>'amount')::numeric), 0) from gateway.mt_events where type = 'budget_debited' and data->'budgets' @> jsonb_build_array(jsonb_build_object('budgetId', $1::text))", budgetId.ToString());
            output.WriteLine($"kill -9 of {leader.Name} (the leader) under 24 clients: served {served.Count}, recorded {recorded}, failed {failed} " +
                $"(of which transport errors {errors}); its leases expired after {leasesBackAfter.TotalSeconds:0.0} s, its {jobs.Count} leader locks held by other nodes after " +
                $"{jobsMovedAfter.TotalSeconds:0.0} s; the budget has {debited} USD debited, {handedOut} USD handed out to nodes alive");

            foreach (var job in jobs.Where(j => !movedAt.ContainsKey(j)))
                output.WriteLine($"  {Named(job)} did not move: {await SessionOfAsync(job)}");
            output.WriteLine("  leader locks moved after: " + string.Join(", ", movedAt.Select(m => $"{Named(m.Key)} {m.Value.TotalSeconds:0.0} s")));
            foreach (var kind in errorKinds.Take(5)) output.WriteLine("  " + kind);
            Assert.Equal(served.Count, recorded);
            Assert.True(failed <= 24, $"{failed} requests failed: more than were in flight");
            Assert.True(jobsMovedAfter <= TimeSpan.FromSeconds(10), $"leader jobs moved after {jobsMovedAfter}");
            Assert.True(leasesBackAfter <= FleetFixture.LeaseTtl + TimeSpan.FromSeconds(5), $"leases came back after {leasesBackAfter}");
        }
        finally
        {
            // The other tests use all three nodes.
            fleet.Start(leader);
            await leader.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
    }

    static string Named(long lockId)
    {
        if (lockId == Gateway.Analytics.ExportLock.ExportLockId("gateway")) return "analytics export";
        if (lockId == Gateway.Analytics.ExportLock.ChainLockId("gateway")) return "audit chain";
        if (lockId == Gateway.Analytics.ExportLock.BodyRetentionLockId("gateway")) return "body retention";
        if (lockId == Gateway.Api.Fleet.FleetSweep.LockId("gateway")) return "fleet sweep";
        if (lockId == Gateway.Api.Audit.RequestArchive.LockId("gateway")) return "request archive";
        return $"lock {lockId} (projection daemon)";
    }

    /// <summary>The application name (node) whose session holds an advisory lock in the fleet's database, or null.</summary>
    async Task<string?> HolderAsync(long lockId)
    {
        var holder = await fleet.QueryAsync<object>(
            "select coalesce((select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database()) and ((l.classid::bigint << 32) | l.objid::bigint) = $1 limit 1), '')", lockId);
        return holder is string name && name.Length > 0 ? name : null;
    }

    /// <summary>Who holds a lock and what that session is doing (for a lock that did not move).</summary>
    Task<object> SessionOfAsync(long lockId) => fleet.QueryAsync<object>(
        "select coalesce((select a.application_name || ' pid ' || a.pid || ' ' || a.state || ' ' || coalesce(a.wait_event, '') || ' ' || left(a.query, 80) " +
        "from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database()) " +
        "and ((l.classid::bigint << 32) | l.objid::bigint) = $1 limit 1), 'nobody')", lockId);

    async Task<List<long>> LocksOfAsync(string node)
    {
        await using var connection = new Npgsql.NpgsqlConnection(fleet.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select (l.classid::bigint << 32) | l.objid::bigint from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and l.database = (select oid from pg_database where datname = current_database()) and l.objsubid = 1 and a.application_name = $1", connection) { Parameters = { new() { Value = node } } };
        var locks = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) locks.Add(reader.GetInt64(0));
        return locks;
    }
}
