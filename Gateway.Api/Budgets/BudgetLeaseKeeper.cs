using Gateway.Api.Fleet;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Budgets;

/// <summary>
/// Keeps this node's leases honest. A heartbeat loop says the node is alive several times per
/// <see cref="GatewayOptions.BudgetLeaseTtl"/> (a node not seen for that long loses its leases to the expiry sweep),
/// and fences the node — no reservation from a lease — once it has not been able to say so for half of it. Every
/// <see cref="GatewayOptions.BudgetLeaseTick"/> a second loop follows how fast each budget is spent here, closes leases
/// that are idle, old, asked for by a node short of the budget, or held while fenced, and gives back what they hold
/// unspent. On a graceful stop every lease goes back at once.
/// </summary>
public sealed class BudgetLeaseKeeper(BudgetLedger ledger, BudgetLeases leases, IDocumentStore store, GatewayOptions options,
    NodeIdentity node, TimeProvider time, ILogger<BudgetLeaseKeeper> logger) : BackgroundService
{
    readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Another node is short of a budget: close this node's lease on it now rather than at the next tick.</summary>
    public void Asked(Guid budgetId)
    {
        if (ledger.Find(budgetId) is not { } rule) return;
        rule.Ask();
        try { wake.Release(); }
        catch (SemaphoreFullException) { } // a wake is already pending: one pass serves every ask
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(HeartbeatLoopAsync(stoppingToken), TickLoopAsync(stoppingToken));

    async Task HeartbeatLoopAsync(CancellationToken stoppingToken)
    {
        var every = options.BudgetLeaseTtl / 8;
        var lastSeen = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Bounded well under the lease lifetime: a database that does not answer is found out in time.
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                bounded.CancelAfter(options.BudgetLeaseTtl / 4);
                await using var session = store.LightweightSession();
                session.QueueSqlCommand(GatewayNodesTable.Heartbeat(options.Schema), node.Id, node.StartedAt);
                await session.SaveChangesAsync(bounded.Token);
                lastSeen = time.GetTimestamp();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Budget lease heartbeat failed: {Error}", ex.GetType().Name);
            }
            // Half a lease lifetime unseen: the sweep may soon give this node's leases to others.
            var fenced = time.GetElapsedTime(lastSeen) > options.BudgetLeaseTtl / 2;
            if (fenced != ledger.Fenced)
            {
                ledger.Fenced = fenced;
                if (fenced) logger.LogWarning("This node cannot reach PostgreSQL to keep its budget leases: budgeted requests are refused until it can.");
            }
            try { await Task.Delay(every, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    async Task TickLoopAsync(CancellationToken stoppingToken)
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
                await TickAsync(elapsed, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Giving back budget leases failed, retrying: {Error}", ex.Message);
            }
        }
    }

    /// <summary>One round of the keeper's work, now (also what the loop runs).</summary>
    public Task TickAsync(TimeSpan elapsed, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var rule in ledger.Every)
        {
            rule.ObserveDemand(rule.Account.TakeDemand(), elapsed);
            var asked = rule.TakeAsk();
            var slice = rule.Account.Current(now);
            if (slice.LeaseId == Guid.Empty) continue;
            if (ledger.Fenced || asked || rule.Removed || now - slice.LastReservedAt > options.BudgetLeaseIdle || now - slice.OpenedAt > options.BudgetLeaseRotation)
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
