using Gateway.Domain.Budgets;

namespace Gateway.Api.Budgets;

/// <summary>A request's hold on its budgets; settled once, to the actual cost, when the request ends.</summary>
public sealed class BudgetReservation((BudgetRule Rule, BudgetSlice Slice)[] holds, decimal amount, TimeProvider time)
{
    int settled;

    public decimal Amount { get; } = amount;

    /// <summary>
    /// Settles every hold to the actual cost. Returns the events to record with the request — a debit per budget
    /// (none when it cost nothing) and any threshold it crossed — and the webhook alerts to send after they commit.
    /// </summary>
    public (IReadOnlyList<object> Events, IReadOnlyList<object> Messages) Settle(Guid requestId, decimal actual)
    {
        if (Interlocked.Exchange(ref settled, 1) == 1 || holds.Length == 0) return ([], []);
        var now = time.GetUtcNow();
        List<object>? events = null, messages = null;
        var debit = BudgetAccount.Chargeable(Amount, actual);
        var charges = debit > 0 ? new BudgetCharge[holds.Length] : null;
        for (var i = 0; i < holds.Length; i++)
        {
            var (rule, slice) = holds[i];
            var spend = rule.Account.Settle(slice, Amount, debit, now);
            if (charges is null) continue;
            var period = slice.PeriodStart;
            charges[i] = new BudgetCharge(rule.Id, period, slice.LeaseId);
            if (spend is not { } s) continue;
            foreach (var threshold in BudgetAccount.Crossed(rule.Thresholds, rule.Account.Limit, s.Before, s.After))
            {
                (events ??= []).Add(new BudgetThresholdCrossed(rule.Id, threshold, s.After, rule.Account.Limit, period, requestId));
                if (rule.WebhookUrl is { } url)
                    (messages ??= []).Add(new BudgetAlert(rule.Id, rule.Scope, rule.ScopeId, threshold, s.After, rule.Account.Limit, period, requestId, now, url));
            }
        }
        if (charges is not null) (events ??= []).Insert(0, new BudgetDebited(requestId, debit, charges));
        if (debit < actual) (events ??= []).Add(new BudgetDebitCapped(requestId, actual, debit));
        return (events ?? (IReadOnlyList<object>)[], messages ?? (IReadOnlyList<object>)[]);
    }
}
