using Gateway.Analytics;
using Gateway.Api.Limits;
using Gateway.Domain.Limits;
using Gateway.Api.Hosting;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Fleet;

/// <summary>
/// On the one node holding the sweep's lock, every <see cref="GatewayOptions.BudgetLeaseTick"/>: a budget lease whose
/// node has not been seen for <see cref="GatewayOptions.BudgetLeaseTtl"/> is closed, and what it held beyond the debits
/// recorded against it goes back to the allotment (<see cref="BudgetLeaseExpired"/>); rate-limit segments out of every
/// window and nodes gone for a day are deleted.
/// </summary>
public sealed class FleetSweep(IDocumentStore store, GatewayOptions options, TimeProvider time, ILogger<FleetSweep> logger) : BackgroundService
{
    public static long LockId(string schema) => ExportLock.IdFor("fleet-sweep", schema);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        LeaderLoop.RunAsync(options.Db, LockId(options.Schema), options.BudgetLeaseTick,
            async (holding, ct) =>
            {
                if (holding && await SweepAsync(ct) is > 0 and var expired)
                    logger.LogInformation("Budget leases: expired {Count} leases of nodes no longer seen.", expired);
            },
            ex => logger.LogWarning("Budget lease expiry sweep failed, retrying: {Error}", ex.Message),
            stoppingToken);

    /// <summary>One sweep, now (also what the loop runs).</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var query = store.QuerySession();
        var alive = await AliveAsync(query, ct);
        var open = await query.Query<BudgetAllotment>().Where(a => a.OpenLeases > 0).ToListAsync(ct);
        var expired = 0;
        foreach (var candidate in open)
        foreach (var lease in candidate.Leases.Where(l => !alive.Contains(l.NodeId)).ToList())
        {
            // Read before the allotment's lock (the scan may take a while, and a node that is gone adds no debit).
            var debited = await DebitedAsync(query, candidate.Id, lease.LeaseId, ct);
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForExclusiveWriting<BudgetAllotment>(candidate.Id, ct);
            if (stream.Aggregate?.Leases.Find(l => l.LeaseId == lease.LeaseId) is not { } held) continue;
            // Seen again since the round began (a slow database, not a dead node): its lease stays.
            if ((await AliveAsync(session, ct)).Contains(lease.NodeId)) continue;
            stream.AppendOne(new BudgetLeaseExpired(candidate.BudgetId, candidate.PeriodStart, lease.LeaseId, lease.NodeId, Math.Max(0, held.Held - debited)));
            await session.SaveChangesAsync(ct);
            expired++;
        }
        await using (var cleanup = store.LightweightSession())
        {
            cleanup.QueueSqlCommand($"delete from {options.Schema}.{GatewayNodesTable.Name} where seen_at < now() - interval '1 day'");
            cleanup.QueueSqlCommand(RateLimits.SweepSql(options.Schema), RateWindow.SegmentOf(time.GetUtcNow(), options.RateLimitWindow) - 2 * RateWindow.Segments);
            await cleanup.SaveChangesAsync(ct);
        }
        return expired;
    }

    /// <summary>The nodes seen within the lease lifetime, by the database's clock.</summary>
    async Task<HashSet<Guid>> AliveAsync(IQuerySession session, CancellationToken ct) =>
        (await session.QueryAsync<Guid>(
            $"select node_id from {options.Schema}.{GatewayNodesTable.Name} where seen_at > now() - ?::interval", ct,
            $"{options.BudgetLeaseTtl.TotalSeconds} seconds")).ToHashSet();

    /// <summary>
    /// What the requests spent from a lease, from their debits: only events after the lease's first grant can name it,
    /// and leases are rotated, so the scan is bounded by a lease's lifetime.
    /// </summary>
    async Task<decimal> DebitedAsync(IQuerySession session, Guid allotmentId, Guid leaseId, CancellationToken ct)
    {
        var schema = options.Schema;
        var sums = await session.QueryAsync<decimal>(
            $"select coalesce(sum((e.data->>'amount')::numeric), 0) from {schema}.mt_events e, jsonb_array_elements(e.data->'budgets') b " +
            "where e.type = 'budget_debited' and b->>'leaseId' = ? and e.seq_id > " +
            $"(select coalesce(min(g.seq_id), 0) from {schema}.mt_events g where g.stream_id = ? and g.type = 'budget_lease_granted' and g.data->>'leaseId' = ?)",
            ct, leaseId.ToString(), allotmentId, leaseId.ToString());
        return sums.Count == 0 ? 0 : sums[0];
    }
}
