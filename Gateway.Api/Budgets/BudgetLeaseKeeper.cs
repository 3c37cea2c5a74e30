using Gateway.Api.Fleet;
using Gateway.Api.Hosting;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Budgets;

/// <summary>
/// Keeps this node's leases honest, every <see cref="GatewayOptions.BudgetLeaseTick"/>: says the node is alive (a
/// node not seen for <see cref="GatewayOptions.BudgetLeaseTtl"/> loses its leases to the expiry sweep), follows how
/// fast each budget is spent here, closes leases that are idle, old, asked for by a node short of the budget, or held
/// while the database could not be reached, and gives back what they hold unspent. On a graceful stop every lease goes
/// back at once.
/// </summary>
public sealed class BudgetLeaseKeeper(BudgetLedger ledger, BudgetLeases leases, IDocumentStore store, GatewayOptions options,
    NodeIdentity node, TimeProvider time, ILogger<BudgetLeaseKeeper> logger) : BackgroundService
{
    readonly SemaphoreSlim wake = new(0);
    long lastHeartbeat = Environment.TickCount64;

    /// <summary>Another node is short of a budget: close this node's lease on it now rather than at the next tick.</summary>
    public void Asked(Guid budgetId)
    {
        if (ledger.Find(budgetId) is not { } rule) return;
        rule.Asked = true;
        wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var last = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await wake.WaitAsync(options.BudgetLeaseTick, stoppingToken); }
            catch (OperationCanceledException) { return; }
            var elapsed = time.GetElapsedTime(last);
            last = time.GetTimestamp();
            try
            {
                await HeartbeatAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Budget lease heartbeat failed: {Error}", ex.Message);
            }
            try
            {
                await TickAsync(elapsed, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Giving back budget leases failed, retrying: {Error}", ex.Message);
            }
        }
    }

    async Task HeartbeatAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.QueueSqlCommand(GatewayNodesTable.Heartbeat(options.Schema), node.Id, node.StartedAt);
        await session.SaveChangesAsync(ct);
        Interlocked.Exchange(ref lastHeartbeat, Environment.TickCount64);
    }

    /// <summary>One round of the keeper's work, now (also what the loop runs).</summary>
    public Task TickAsync(TimeSpan elapsed, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // Cut off from the database for half a lease lifetime: the sweep may soon give this node's leases to others.
        var stale = Environment.TickCount64 - Interlocked.Read(ref lastHeartbeat) > options.BudgetLeaseTtl.TotalMilliseconds / 2;
        foreach (var rule in ledger.Every)
        {
            rule.ObserveDemand(rule.Account.TakeDemand(), elapsed);
            var slice = rule.Account.Current(now);
            if (slice.LeaseId == Guid.Empty) continue;
            var asked = rule.Asked;
            rule.Asked = false;
            if (stale || asked || rule.Removed || now - slice.LastReservedAt > options.BudgetLeaseIdle || now - slice.OpenedAt > options.BudgetLeaseRotation)
                rule.Account.Rotate(now);
        }
        return leases.ReturnAsync(ledger.Every, ct);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var now = time.GetUtcNow();
        foreach (var rule in ledger.Every) rule.Account.Rotate(now);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(5));
            await leases.ReturnAsync(ledger.Every, bounded.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Giving back budget leases at shutdown failed; the expiry sweep will reclaim them: {Error}", ex.Message);
        }
    }
}
