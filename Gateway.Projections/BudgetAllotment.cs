using Gateway.Domain.Budgets;

namespace Gateway.Projections;

/// <summary>
/// One budget's money in one period, as handed out to the nodes: built inline from the allotment stream
/// (<see cref="BudgetLeasePolicy.AllotmentId"/>), in the same transaction as each grant, return and expiry, and read
/// under the stream's lock before the next one, so what is handed out never passes the limit.
/// </summary>
public sealed class BudgetAllotment
{
    public Guid Id { get; set; }
    public Guid BudgetId { get; set; }
    public DateTimeOffset PeriodStart { get; set; }
    public decimal SettledBefore { get; set; }
    public decimal Granted { get; set; }
    public decimal Returned { get; set; }
    public decimal Reclaimed { get; set; }
    public List<OpenLease> Leases { get; set; } = [];
    /// <summary>Open leases (for the expiry sweep's query).</summary>
    public int OpenLeases { get; set; }

    /// <summary>Handed out and not given back: the most the fleet can have spent in the period.</summary>
    public decimal Committed => SettledBefore + Granted - Returned - Reclaimed;

    /// <summary>Spent for good: before leases, and by leases that are closed (what they kept is what they were debited).</summary>
    public decimal SettledInClosedLeases => Committed - Leases.Sum(l => l.Held);

    /// <summary>What the open leases of nodes other than <paramref name="nodeId"/> hold.</summary>
    public decimal HeldByOthersThan(Guid nodeId) => Leases.Where(l => l.NodeId != nodeId).Sum(l => l.Held);

    public static BudgetAllotment Create(BudgetAllotmentOpened e) =>
        new() { BudgetId = e.BudgetId, PeriodStart = e.PeriodStart, SettledBefore = e.SettledBeforeUsd };

    public void Apply(BudgetLeaseGranted e)
    {
        Granted += e.AmountUsd;
        if (Leases.Find(l => l.LeaseId == e.LeaseId) is { } lease) lease.Held += e.AmountUsd;
        else Leases.Add(new OpenLease { LeaseId = e.LeaseId, NodeId = e.NodeId, Held = e.AmountUsd });
        OpenLeases = Leases.Count;
    }

    // A return names an open lease and gives back at most what it holds (the writer checks both under the stream's lock).
    public void Apply(BudgetLeaseReturned e)
    {
        if (Leases.Find(l => l.LeaseId == e.LeaseId) is not { } lease) return;
        var amount = Math.Min(e.AmountUsd, lease.Held);
        Returned += amount;
        lease.Held -= amount;
        if (e.Closed) Leases.Remove(lease);
        OpenLeases = Leases.Count;
    }

    public void Apply(BudgetLeaseExpired e)
    {
        Reclaimed += e.ReclaimedUsd;
        Leases.RemoveAll(l => l.LeaseId == e.LeaseId);
        OpenLeases = Leases.Count;
    }

    public sealed class OpenLease
    {
        public Guid LeaseId { get; set; }
        public Guid NodeId { get; set; }
        public decimal Held { get; set; }
    }
}
