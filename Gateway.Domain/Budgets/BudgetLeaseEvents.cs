namespace Gateway.Domain.Budgets;

// A budget's money is handed to the nodes that spend it in leases: a node takes a slice of what is left from the
// budget's allotment for the period (one stream per budget and period), spends it in memory, and gives back what it
// did not spend. The allotment never hands out more than the limit, so the fleet never spends more than the limit.

/// <summary>
/// The first lease of a budget in a period: <paramref name="SettledBeforeUsd"/> was already debited in the period
/// before leases were kept (by a gateway version without them), and is not handed out again.
/// </summary>
public sealed record BudgetAllotmentOpened(Guid BudgetId, DateTimeOffset PeriodStart, decimal LimitUsd, decimal SettledBeforeUsd);

/// <summary>A node took <paramref name="AmountUsd"/> more of the budget into its lease (the first slice opens the lease).</summary>
public sealed record BudgetLeaseGranted(Guid BudgetId, DateTimeOffset PeriodStart, Guid LeaseId, Guid NodeId, decimal AmountUsd);

/// <summary>
/// A node gave back <paramref name="AmountUsd"/> of its lease it had not spent; <paramref name="Closed"/>: nothing is in
/// flight on the lease any more, what it kept is what its requests were debited.
/// </summary>
public sealed record BudgetLeaseReturned(Guid BudgetId, DateTimeOffset PeriodStart, Guid LeaseId, decimal AmountUsd, bool Closed);

/// <summary>
/// The node holding a lease stopped (no heartbeat for the lease lifetime): another node closed the lease and took back
/// <paramref name="ReclaimedUsd"/>, what it held beyond the debits recorded against it.
/// </summary>
public sealed record BudgetLeaseExpired(Guid BudgetId, DateTimeOffset PeriodStart, Guid LeaseId, Guid NodeId, decimal ReclaimedUsd);
