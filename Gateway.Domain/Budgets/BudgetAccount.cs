namespace Gateway.Domain.Budgets;

/// <summary>
/// One budget as this node sees it in the current period: the lease it spends from (its slice of the budget), the
/// earlier leases still settling, and what the rest of the fleet has spent or holds. A request reserves its worst-case
/// cost from this node's slice and settles to its actual cost, so what this node spends never passes what it was
/// granted, and what all nodes were granted never passes the limit. Thread-safe; every operation is a few arithmetic
/// steps under a lock, never I/O.
/// </summary>
public sealed class BudgetAccount(Guid id, decimal limit, string period, TimeZoneInfo zone, DateTimeOffset now)
{
    readonly object gate = new();
    DateTimeOffset periodStart = BudgetPeriods.StartOf(period, zone, now);
    BudgetSlice current = new(BudgetPeriods.StartOf(period, zone, now), now);
    readonly List<BudgetSlice> draining = [];
    // What the ledger says the rest of the fleet has settled (closed leases, spend before leases) and still holds.
    decimal settledElsewhere, heldElsewhere;
    decimal demand;

    public Guid Id { get; } = id;
    public decimal Limit { get; private set; } = limit;
    public string Period { get; private set; } = period;
    public TimeZoneInfo Zone { get; private set; } = zone;

    public BudgetBalance Balance(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            var (spent, reserved) = (settledElsewhere, 0m);
            foreach (var slice in Slices()) (spent, reserved) = (spent + slice.Spent, reserved + slice.Reserved);
            return new BudgetBalance(Limit, spent, reserved, Math.Max(0, Limit - spent - reserved - heldElsewhere), periodStart,
                BudgetPeriods.EndOf(Period, Zone, now), current.Held, heldElsewhere);
        }
    }

    /// <summary>Reserves <paramref name="amount"/> from this node's lease if it fits beside what is settled and reserved there.</summary>
    /// <returns>The slice the reservation belongs to, or null when this node does not hold enough.</returns>
    public BudgetSlice? TryReserve(decimal amount, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            if (current.Free < amount) return null;
            current.Reserved += amount;
            current.LastReservedAt = now;
            demand += amount;
            return current;
        }
    }

    /// <summary>How much more this node must hold before <paramref name="amount"/> fits.</summary>
    public decimal Shortfall(decimal amount, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            return Math.Max(0, amount - current.Free);
        }
    }

    /// <summary>
    /// What a request may be charged against a budget: its actual cost, never more than it reserved. The reservation
    /// covers the worst case the gateway can know (counted prompt, max_tokens, dearest target); a provider that bills
    /// more (a tokenizer counting differently) does not carry the budget past what was held for it.
    /// </summary>
    public static decimal Chargeable(decimal reserved, decimal actual) => Math.Min(Math.Max(0, actual), reserved);

    /// <summary>Turns a reservation into spend: the reserved amount is released and the actual cost counted, up to the reservation.</summary>
    /// <returns>The budget's spend (as far as this node knows) before and after, or null when the slice's period has ended.</returns>
    public (decimal Before, decimal After)? Settle(BudgetSlice slice, decimal reservedAmount, decimal actual, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            slice.Reserved = Math.Max(0, slice.Reserved - reservedAmount);
            var charged = Chargeable(reservedAmount, actual);
            slice.Spent += charged;
            if (slice.PeriodStart != periodStart) return null;
            var after = settledElsewhere;
            foreach (var s in Slices()) after += s.Spent;
            return (after - charged, after);
        }
    }

    /// <summary>The thresholds (percent of the limit) that spend going from <paramref name="before"/> to <paramref name="after"/> crossed.</summary>
    public static IEnumerable<int> Crossed(IReadOnlyList<int> thresholds, decimal limit, decimal before, decimal after)
    {
        foreach (var threshold in thresholds)
        {
            var line = limit * threshold / 100m;
            if (before < line && after >= line) yield return threshold;
        }
    }

    /// <summary>The lease new reservations are made from (a slice with no lease id has had no grant yet).</summary>
    public BudgetSlice Current(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            return current;
        }
    }

    /// <summary>The allotment granted <paramref name="amount"/> more to <paramref name="slice"/>'s lease.</summary>
    public void Granted(BudgetSlice slice, Guid leaseId, decimal amount)
    {
        lock (gate)
        {
            if (slice.LeaseId == Guid.Empty) slice.LeaseId = leaseId;
            slice.Held += amount;
            // Rotated away or rolled over while the grant was on its way: it drains, and what it holds goes back.
            if (slice != current && !draining.Contains(slice))
            {
                slice.Draining = true;
                draining.Add(slice);
            }
        }
    }

    /// <summary>
    /// The allotment no longer has this slice's lease (the sweep expired it while this node could not say it was
    /// alive): nothing more is reserved from it, and it is treated as holding only what is spent or in flight.
    /// </summary>
    public void LeaseLost(BudgetSlice slice)
    {
        lock (gate)
        {
            slice.Held = slice.Spent + slice.Reserved;
            if (slice == current)
            {
                current.Draining = true;
                draining.Add(current);
                current = new BudgetSlice(periodStart, slice.LastReservedAt);
            }
        }
    }

    /// <summary>What was spent in the period reserved since the last call (the rate lease sizes follow).</summary>
    public decimal TakeDemand()
    {
        lock (gate)
        {
            var taken = demand;
            demand = 0;
            return taken;
        }
    }

    /// <summary>
    /// Closes the current lease to new reservations (it is idle, old, or its money is needed elsewhere): what it has
    /// not spent goes back with the next <see cref="Returns"/>; new reservations wait for a new grant.
    /// </summary>
    public void Rotate(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            if (current.LeaseId == Guid.Empty) return;
            current.Draining = true;
            draining.Add(current);
            current = new BudgetSlice(periodStart, now);
        }
    }

    /// <summary>The draining slices: each gives back what it does not keep, and closes once nothing is in flight on it.</summary>
    public List<BudgetSlice> Draining(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            return [.. draining];
        }
    }

    /// <summary>What a slice keeps (spent, and reserved by requests in flight): it can only go down once the slice drains.</summary>
    public (decimal Spent, decimal Reserved) Usage(BudgetSlice slice)
    {
        lock (gate) return (slice.Spent, slice.Reserved);
    }

    /// <summary>
    /// The allotment took back what <paramref name="given"/> offered: the slice now holds what the allotment says its
    /// lease holds, so a return committed whose acknowledgement was lost is not given twice.
    /// </summary>
    public void Returned(BudgetReturn given, decimal leaseHeldAfter)
    {
        lock (gate)
        {
            given.Slice.Held = leaseHeldAfter;
            if (!given.Close) return;
            draining.Remove(given.Slice);
            // A closed lease's spend is the ledger's now (counted in settledElsewhere from the next observation on).
            if (given.Slice.PeriodStart == periodStart) settledElsewhere += given.Slice.Spent;
        }
    }

    /// <summary>
    /// What the allotment says of the rest of the fleet in a period: settled by leases that are closed (this node's
    /// closed ones included) and before leases were kept, and held by other nodes' open leases.
    /// </summary>
    public void ObserveFleet(DateTimeOffset inPeriod, decimal settledInClosedLeases, decimal heldByOtherNodes, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            if (inPeriod != periodStart) return;
            (settledElsewhere, heldElsewhere) = (settledInClosedLeases, heldByOtherNodes);
        }
    }

    public DateTimeOffset PeriodStartAt(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            return periodStart;
        }
    }

    /// <summary>A new limit, period or time zone from a changed budget; spend so far stays.</summary>
    public void Reconfigure(decimal limit, string period, TimeZoneInfo zone)
    {
        lock (gate)
        {
            Limit = limit;
            Period = period;
            Zone = zone;
        }
    }

    IEnumerable<BudgetSlice> Slices()
    {
        if (current.PeriodStart == periodStart) yield return current;
        foreach (var slice in draining)
            if (slice.PeriodStart == periodStart) yield return slice;
    }

    // A new period starts from nothing: the last period's lease drains (its in-flight requests settle against it).
    void Roll(DateTimeOffset now)
    {
        var start = BudgetPeriods.StartOf(Period, Zone, now);
        if (start == periodStart) return;
        periodStart = start;
        if (current.LeaseId != Guid.Empty)
        {
            current.Draining = true;
            draining.Add(current);
        }
        current = new BudgetSlice(start, now);
        (settledElsewhere, heldElsewhere, demand) = (0, 0, 0);
    }
}

/// <param name="Spent">Settled this period: by this node's open leases, plus what the ledger holds of closed ones.</param>
/// <param name="Reserved">Held for this node's requests in flight.</param>
/// <param name="Remaining">What is left to spend: the limit less spent, reserved, and what other nodes hold.</param>
/// <param name="Held">What this node holds of the budget for new requests (its current lease).</param>
/// <param name="HeldByOtherNodes">What the other nodes' open leases hold (their spend in them included).</param>
public readonly record struct BudgetBalance(decimal Limit, decimal Spent, decimal Reserved, decimal Remaining, DateTimeOffset PeriodStart,
    DateTimeOffset? PeriodEnd, decimal Held = 0, decimal HeldByOtherNodes = 0);
