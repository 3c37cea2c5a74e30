namespace Gateway.Domain.Budgets;

/// <summary>
/// What this node holds of one lease: granted to it, settled by its requests, reserved by those in flight. Changed
/// only under its <see cref="BudgetAccount"/>'s lock.
/// </summary>
public sealed class BudgetSlice(DateTimeOffset periodStart, DateTimeOffset openedAt)
{
    public DateTimeOffset PeriodStart { get; } = periodStart;
    public DateTimeOffset OpenedAt { get; } = openedAt;
    /// <summary>Empty until the first grant names it.</summary>
    public Guid LeaseId { get; internal set; }
    public decimal Held { get; internal set; }
    public decimal Spent { get; internal set; }
    public decimal Reserved { get; internal set; }
    public DateTimeOffset LastReservedAt { get; internal set; } = openedAt;
    /// <summary>Closed to new reservations: what is left goes back to the allotment.</summary>
    public bool Draining { get; internal set; }

    public decimal Free => Held - Spent - Reserved;
}

/// <summary>What a node gives back of a lease: <see cref="Amount"/>, and whether the lease closes with it.</summary>
public readonly record struct BudgetReturn(Guid BudgetId, BudgetSlice Slice, decimal Amount, bool Close);
