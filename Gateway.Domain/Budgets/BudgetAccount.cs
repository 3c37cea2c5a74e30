namespace Gateway.Domain.Budgets;

/// <summary>
/// One budget's money in the current period: what was settled and what in-flight requests have reserved.
/// A request reserves its worst-case cost before it is forwarded and settles to its actual cost when it ends,
/// so settled spend can never pass the limit, whatever the concurrency. Thread-safe; every operation is a few
/// arithmetic steps under a lock, never I/O.
/// </summary>
public sealed class BudgetAccount(Guid id, decimal limit, string period, TimeZoneInfo zone, DateTimeOffset now, decimal spentThisPeriod)
{
    readonly object gate = new();
    DateTimeOffset periodStart = BudgetPeriods.StartOf(period, zone, now);
    decimal spent = spentThisPeriod;
    decimal reserved;

    public Guid Id { get; } = id;
    public decimal Limit { get; private set; } = limit;
    public string Period { get; private set; } = period;
    public TimeZoneInfo Zone { get; private set; } = zone;

    public BudgetBalance Balance(DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            return new BudgetBalance(Limit, spent, reserved, Math.Max(0, Limit - spent - reserved), periodStart,
                BudgetPeriods.EndOf(Period, Zone, now));
        }
    }

    /// <summary>Reserves <paramref name="amount"/> if it fits beside what is settled and reserved.</summary>
    /// <returns>The start of the period the reservation belongs to, or null when it does not fit.</returns>
    public DateTimeOffset? TryReserve(decimal amount, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            if (spent + reserved + amount > Limit) return null;
            reserved += amount;
            return periodStart;
        }
    }

    /// <summary>
    /// What a request may be charged against a budget: its actual cost, never more than it reserved. The reservation
    /// covers the worst case the gateway can know (counted prompt, max_tokens, dearest target); a provider that bills
    /// more (a tokenizer counting differently) does not carry the budget past what was held for it.
    /// </summary>
    public static decimal Chargeable(decimal reserved, decimal actual) => Math.Min(Math.Max(0, actual), reserved);

    /// <summary>Turns a reservation into spend: the reserved amount is released and the actual cost counted, up to the reservation.</summary>
    /// <returns>Spend before and after, or null when the reservation's period has ended.</returns>
    public (decimal Before, decimal After)? Settle(decimal reservedAmount, decimal actual, DateTimeOffset reservedIn, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            // A reservation made in a period that has since ended is gone with that period's state.
            if (reservedIn != periodStart) return null;
            reserved = Math.Max(0, reserved - reservedAmount);
            var before = spent;
            spent += Chargeable(reservedAmount, actual);
            return (before, spent);
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

    /// <summary>
    /// What the ledger says was settled in a period, by every node: when another node has spent too, this node's
    /// view catches up (it never goes down: its own settlements may not be committed yet).
    /// </summary>
    public void ObserveSettled(DateTimeOffset inPeriod, decimal settledEverywhere, DateTimeOffset now)
    {
        lock (gate)
        {
            Roll(now);
            if (inPeriod == periodStart && settledEverywhere > spent) spent = settledEverywhere;
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

    void Roll(DateTimeOffset now)
    {
        var start = BudgetPeriods.StartOf(Period, Zone, now);
        if (start == periodStart) return;
        periodStart = start;
        spent = 0;
        reserved = 0;
    }
}

public readonly record struct BudgetBalance(decimal Limit, decimal Spent, decimal Reserved, decimal Remaining, DateTimeOffset PeriodStart, DateTimeOffset? PeriodEnd);
