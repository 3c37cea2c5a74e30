using Gateway.Api.Budgets;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;
using Gateway.Domain.Budgets;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>
/// Before a request is forwarded: reserve its worst-case cost — prompt tokens counted with the tokenizer, output
/// at max_tokens (or <see cref="GatewayOptions.BudgetMaxOutputTokens"/>), at the dearest price among the targets it
/// may reach — at every budget that applies, all or none. In memory; no database round trip.
/// </summary>
public sealed class BudgetGate(BudgetLedger ledger, UsageEstimator estimator, GatewayOptions options)
{
    /// <returns>The reservation (null when no budget applies), or the budget that refused it.</returns>
    public (BudgetReservation? Reservation, BudgetRule? RefusedBy) TryReserve(
        ControlPlane.GatewayKey key, CompiledRoute route, RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody)
    {
        if (!ledger.Any) return (null, null);
        var rules = ledger.For(key).ToArray();
        if (rules.Length == 0) return (null, null);

        var amount = WorstCase(route, head, trace, openAiBody);
        var now = ledger.Time.GetUtcNow();
        var holds = new (BudgetRule Rule, DateTimeOffset Period)[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            if (rules[i].Account.TryReserve(amount, now) is { } period)
            {
                holds[i] = (rules[i], period);
                continue;
            }
            for (var j = 0; j < i; j++) holds[j].Rule.Account.Settle(amount, 0, holds[j].Period, now);
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
            input = Math.Max(input, price.InputPerMillion);
            output = Math.Max(output, price.OutputPerMillion);
        }
        var prompt = trace.CountPrompt(estimator, openAiBody);
        var completion = head.Operation == Operation.Embeddings ? 0 : head.MaxTokens ?? options.BudgetMaxOutputTokens;
        return new Domain.Pricing.Price(input, output).Cost(prompt, completion);
    }
}
