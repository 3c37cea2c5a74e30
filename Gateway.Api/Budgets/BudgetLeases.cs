using Gateway.Api.Fleet;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Budgets;

/// <summary>
/// This node's side of the budget leases: it takes slices of a budget from the budget's allotment in PostgreSQL when
/// the requests waiting on it do not fit in what it holds, and gives back what it will not spend. A request only waits
/// on the database when this node's slice runs low; requests that arrive meanwhile join the same round trip.
/// </summary>
public sealed class BudgetLeases(IDocumentStore store, GatewayOptions options, NodeIdentity node, TimeProvider time, ILogger<BudgetLeases> logger)
{
    /// <summary>The channel on which a node short of a budget asks the others to give back what they hold of it.</summary>
    public static string ShortageChannel(string schema) => $"{schema}_budget_short";

    /// <summary>
    /// Makes room for <paramref name="amount"/> in this node's slice of <paramref name="rule"/>: joins (or starts) the
    /// budget's next round trip to the allotment.
    /// </summary>
    /// <returns>False when the budget has nothing left to hand out for it.</returns>
    public async ValueTask<bool> EnsureAsync(BudgetRule rule, decimal amount, CancellationToken ct)
    {
        var granted = await rule.Rounds.JoinAsync(amount, async round =>
            {
                var now = time.GetUtcNow();
                var need = rule.Account.Shortfall(round.Demand, now);
                return need <= 0 || await GrantAsync(rule, need, rule.Account.Shortfall(round.Minimum, now)) > 0;
            },
            ex => logger.LogWarning("Taking a slice of budget {BudgetId} failed: {Error}", rule.Id, ex.Message), ct);
        return granted || rule.Account.Shortfall(amount, time.GetUtcNow()) == 0;
    }

    /// <summary>One grant: under the allotment stream's lock, what is left decides what this node gets.</summary>
    async Task<decimal> GrantAsync(BudgetRule rule, decimal need, decimal minimum)
    {
        for (var attempt = 0; ; attempt++)
        {
            // Bounded: a request waits for a slice a few seconds at most, whatever the database does.
            using var timeout = new CancellationTokenSource(options.BudgetLeaseTtl / 3);
            decimal? grant;
            await rule.Lock.WaitAsync(timeout.Token);
            try { grant = await TryGrantAsync(rule, need, minimum, asked: attempt > 0, timeout.Token); }
            finally { rule.Lock.Release(); }
            if (grant is { } granted) return granted;
            // Other nodes hold part of what is left: they were asked to give back what they do not need; try again.
            if (attempt >= 2) return 0;
            await Task.Delay(options.BudgetLeaseShortageWait);
        }
    }

    /// <returns>What was granted; null when nothing was but other nodes hold some of the budget (they have been asked for it).</returns>
    async Task<decimal?> TryGrantAsync(BudgetRule rule, decimal need, decimal minimum, bool asked, CancellationToken ct, int opening = 0)
    {
        var now = time.GetUtcNow();
        var slice = rule.Account.Current(now);
        var id = BudgetLeasePolicy.AllotmentId(rule.Id, slice.PeriodStart);
        try
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForExclusiveWriting<BudgetAllotment>(id, ct);
            var allotment = stream.Aggregate;
            if (allotment is null)
            {
                var before = await session.LoadAsync<BudgetPeriodBalance>(BudgetPeriodBalance.IdOf(rule.Id, slice.PeriodStart), ct);
                var opened = new BudgetAllotmentOpened(rule.Id, slice.PeriodStart, rule.Account.Limit, before?.Settled ?? 0);
                stream.AppendOne(opened);
                allotment = BudgetAllotment.Create(opened);
            }
            if (slice.LeaseId != Guid.Empty && allotment.Leases.All(l => l.LeaseId != slice.LeaseId))
            {
                // The sweep expired this node's lease (it was not seen for the lease lifetime): a new lease, never this one.
                rule.Account.LeaseLost(slice);
                slice = rule.Account.Current(now);
            }
            // The limit as committed (read under the lock), not as this node last heard of it.
            var limit = (await session.LoadAsync<BudgetView>(rule.Id, ct)) is { Removed: false } view ? view.LimitUsd : 0;
            var heldElsewhere = allotment.HeldByOthersThan(node.Id);
            var amount = BudgetLeasePolicy.Grant(limit - allotment.Committed, need, minimum,
                Math.Max(rule.Prefetch(options.BudgetLeaseHorizon), need));
            var leaseId = slice.LeaseId == Guid.Empty ? Guid.CreateVersion7(now) : slice.LeaseId;
            if (amount > 0) stream.AppendOne(new BudgetLeaseGranted(rule.Id, slice.PeriodStart, leaseId, node.Id, amount));
            else if (heldElsewhere > 0 && !asked)
                session.QueueSqlCommand("select pg_notify(?, ?)", ShortageChannel(options.Schema), $"{node.Id:N}:{rule.Id:N}");
            session.QueueSqlCommand(GatewayNodesTable.Heartbeat(options.Schema), node.Id, node.StartedAt);
            await session.SaveChangesAsync(ct);
            if (amount > 0) rule.Account.Granted(slice, leaseId, amount);
            Observe(rule, allotment, closedNow: 0, now);
            return amount > 0 || heldElsewhere <= 0 || asked ? amount : null;
        }
        catch (Exception ex) when (opening < 3 && ex is Marten.Exceptions.ExistingStreamIdCollisionException
                                       or JasperFx.Events.ExistingStreamIdCollisionException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
        {
            // Two nodes opened the same allotment at once: the other one won; read it again.
            return await TryGrantAsync(rule, need, minimum, asked, ct, opening + 1);
        }
    }

    /// <summary>Gives back what the draining slices of these budgets hold unspent, closing those with nothing in flight.</summary>
    public async Task ReturnAsync(IEnumerable<BudgetRule> rules, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        foreach (var rule in rules)
        {
            var draining = rule.Account.Draining(now);
            if (draining.Count == 0) continue;
            await rule.Lock.WaitAsync(ct);
            try
            {
                foreach (var byPeriod in draining.GroupBy(s => s.PeriodStart))
                    await ReturnAsync(rule, byPeriod.Key, byPeriod.ToList(), now, ct);
            }
            finally
            {
                rule.Lock.Release();
            }
        }
    }

    async Task ReturnAsync(BudgetRule rule, DateTimeOffset period, List<BudgetSlice> slices, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForExclusiveWriting<BudgetAllotment>(BudgetLeasePolicy.AllotmentId(rule.Id, period), ct);
        var allotment = stream.Aggregate;
        var given = new List<(BudgetReturn Return, decimal HeldAfter)>();
        var gone = new List<BudgetSlice>();
        foreach (var slice in slices)
        {
            if (allotment?.Leases.Find(l => l.LeaseId == slice.LeaseId) is not { } lease)
            {
                // Expired by the sweep (or never granted): nothing of it is the allotment's to take back.
                gone.Add(slice);
                continue;
            }
            // Reckoned under the stream's lock from what the lease holds there, so a return is never given twice.
            var (spent, reserved) = rule.Account.Usage(slice);
            var back = BudgetLeasePolicy.Return(rule.Id, slice, lease.Held, spent, reserved);
            if (back.Amount == 0 && !back.Close) continue;
            stream.AppendOne(new BudgetLeaseReturned(rule.Id, period, slice.LeaseId, back.Amount, back.Close));
            given.Add((back, lease.Held - back.Amount));
        }
        if (given.Count > 0) await session.SaveChangesAsync(ct);
        foreach (var (back, heldAfter) in given) rule.Account.Returned(back, heldAfter);
        foreach (var slice in gone) rule.Account.Returned(new BudgetReturn(rule.Id, slice, 0, true), slice.Spent);
        if (allotment is null) return;
        Observe(rule, allotment, closedNow: given.Where(g => g.Return.Close).Sum(g => g.HeldAfter), now);
    }

    /// <summary>What the allotments of these budgets say of the rest of the fleet in the current period (after a refresh).</summary>
    public async Task ObserveAsync(IReadOnlyList<BudgetRule> rules, IQuerySession session, CancellationToken ct)
    {
        if (rules.Count == 0) return;
        var now = time.GetUtcNow();
        var periods = rules.ToDictionary(r => BudgetLeasePolicy.AllotmentId(r.Id, r.Account.PeriodStartAt(now)));
        var allotments = await session.LoadManyAsync<BudgetAllotment>(ct, periods.Keys);
        foreach (var allotment in allotments) Observe(periods[allotment.Id], allotment, closedNow: 0, now);
    }

    /// <summary>
    /// What an allotment (as read before this node's own appends) says of the rest of the fleet; <paramref name="closedNow"/>
    /// is what the leases this node just closed kept.
    /// </summary>
    void Observe(BudgetRule rule, BudgetAllotment allotment, decimal closedNow, DateTimeOffset now) =>
        rule.Account.ObserveFleet(allotment.PeriodStart, allotment.SettledInClosedLeases + closedNow, allotment.HeldByOthersThan(node.Id), now);
}
