using Gateway.Domain.Budgets;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Gateway.Projections;

/// <summary>
/// What was settled against one budget in one period, folded by the async daemon from the <c>BudgetDebited</c>
/// events: the ledger's own figure, against which the gateway's in-memory balance can be checked at any time.
/// </summary>
public sealed class BudgetPeriodBalance
{
    /// <summary><c>{budgetId:N}:{period start, unix seconds}</c>; see <see cref="IdOf"/>.</summary>
    public string Id { get; set; } = "";
    public decimal Settled { get; set; }
    public long Requests { get; set; }

    public static string IdOf(Guid budgetId, DateTimeOffset periodStart) => $"{budgetId:N}:{periodStart.ToUnixTimeSeconds()}";

    public static string PrefixOf(Guid budgetId) => $"{budgetId:N}:";

    public DateTimeOffset PeriodStart => DateTimeOffset.FromUnixTimeSeconds(long.Parse(Id[(Id.IndexOf(':') + 1)..]));
}

/// <summary>One request's debit counts in every budget it names: a fan-out to one balance per budget and period.</summary>
public sealed class BudgetBalanceProjection : MultiStreamProjection<BudgetPeriodBalance, string>
{
    public BudgetBalanceProjection()
    {
        Identities<BudgetDebited>(e => e.Budgets.Select(b => BudgetPeriodBalance.IdOf(b.BudgetId, b.PeriodStart)).ToArray());
        Options.BatchSize = 10_000; // one debit per request: as many events as requests
        // Debits of archived request streams still count: a rebuild replays the archived partition too (docs/scaling.md).
        IncludeArchivedEvents = true;
    }

    // The document's id (its budget and period) is not set yet when a new one is first applied to: only sums here.
    public void Apply(BudgetPeriodBalance balance, IEvent<BudgetDebited> e)
    {
        balance.Settled += e.Data.Amount;
        balance.Requests++;
    }
}
