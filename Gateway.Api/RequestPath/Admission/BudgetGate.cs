using Gateway.Api.Budgets;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;
using Gateway.Domain.Budgets;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>
/// Before a request is forwarded: reserve its worst-case cost — prompt tokens counted with the tokenizer, output
/// at max_tokens (or <see cref="GatewayOptions.BudgetMaxOutputTokens"/>), at the dearest price among the targets it
/// may reach — at every budget that applies, all or none. In memory, from this node's slice of each budget; a database
/// round trip only when a slice runs low.
/// </summary>
public sealed class BudgetGate(BudgetLedger ledger, BudgetLeases leases, UsageEstimator estimator, GatewayOptions options)
{
    /// <summary>
    /// Reserves at every budget that applies, all or none. In memory when this node's slices have room; when one is
    /// short, the request waits for a slice from that budget's allotment (one round trip, shared with the requests
    /// short at the same time) and tries again.
    /// </summary>
    /// <returns>The reservation (null when no budget applies), or the budget that refused it.</returns>
    public ValueTask<(BudgetReservation? Reservation, BudgetRule? RefusedBy)> ReserveAsync(
        ControlPlane.GatewayKey key, CompiledRoute route, RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody, CancellationToken ct)
    {
        if (!ledger.Any) return new((null, null));
        var rules = ledger.For(key).ToArray();
        if (rules.Length == 0) return new((null, null));
        if (ledger.Fenced) throw new BudgetsUnavailableException();
        var amount = WorstCase(route, head, trace, openAiBody);
        var (reservation, shortOf) = TryReserve(rules, amount);
        return shortOf is null ? new((reservation, null)) : WaitForSliceAsync(rules, amount, shortOf, ct);
    }

    async ValueTask<(BudgetReservation?, BudgetRule?)> WaitForSliceAsync(BudgetRule[] rules, decimal amount, BudgetRule shortOf, CancellationToken ct)
    {
        // A few rounds at most: each either grants this node more or says the budget has nothing left for the request.
        for (var round = 0; round < 8; round++)
        {
            if (!await leases.EnsureAsync(shortOf, amount, ct)) return (null, shortOf);
            var (reservation, stillShort) = TryReserve(rules, amount);
            if (stillShort is null) return (reservation, null);
            shortOf = stillShort;
        }
        return (null, shortOf);
    }

    (BudgetReservation?, BudgetRule?) TryReserve(BudgetRule[] rules, decimal amount)
    {
        var now = ledger.Time.GetUtcNow();
        var holds = new (BudgetRule Rule, BudgetSlice Slice)[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Account.TryReserve(amount, now) is { } slice)
            {
                holds[i] = (rules[i], slice);
                continue;
            }
            for (var j = 0; j < i; j++) holds[j].Rule.Account.Settle(holds[j].Slice, amount, 0, now);
            return (null, rules[i]);
        }
        return (new BudgetReservation(holds, amount, ledger.Time), null);
    }

    /// <summary>The most tokens a request can use: its prompt and its max_tokens (or the configured cap).</summary>
    public long MostTokens(RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody) =>
        trace.CountPrompt(estimator, openAiBody) + (head.Operation == Operation.Embeddings ? 0 : head.MaxTokens ?? options.BudgetMaxOutputTokens);

    decimal WorstCase(CompiledRoute route, RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody)
    {
        decimal input = 0, output = 0;
        var now = trace.StartedAt;
        foreach (var tier in route.Tiers)
        foreach (var (model, _) in tier)
        {
            var price = model.PriceAt(now);
            input = Math.Max(input, price.MostPerInputToken); // a prompt written to the provider's cache may cost more than input
            output = Math.Max(output, price.OutputPerMillion);
        }
        var prompt = trace.CountPrompt(estimator, openAiBody);
        var completion = head.Operation == Operation.Embeddings ? 0 : head.MaxTokens ?? options.BudgetMaxOutputTokens;
        return new Domain.Pricing.Price(input, output).Cost(prompt, completion);
    }
}

/// <summary>This node cannot account for budgets right now (it cannot reach PostgreSQL to keep its leases).</summary>
public sealed class BudgetsUnavailableException() : Exception("The budget ledger is unreachable from this node.");
