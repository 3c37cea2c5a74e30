using Gateway.Api.OpenAi;
using Gateway.Api.Routing;
using Gateway.Domain.Budgets;

namespace Gateway.Api.Budgets;

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

    /// <summary>Prompt tokens counted once per request, whoever asks first (budgets, tokens-per-minute limits).</summary>
    public long PromptTokens(RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody) =>
        trace.EstimatedPromptTokens ??= estimator.CountPrompt(openAiBody, head.Operation);

    /// <summary>The most tokens a request can use: its prompt and its max_tokens (or the configured cap).</summary>
    public long MostTokens(RequestHead head, RequestTrace trace, ReadOnlySpan<byte> openAiBody) =>
        PromptTokens(head, trace, openAiBody) + (head.Operation == Operation.Embeddings ? 0 : head.MaxTokens ?? options.BudgetMaxOutputTokens);

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
        var prompt = PromptTokens(head, trace, openAiBody);
        var completion = head.Operation == Operation.Embeddings ? 0 : head.MaxTokens ?? options.BudgetMaxOutputTokens;
        return new Domain.Pricing.Price(input, output).Cost(prompt, completion);
    }
}

/// <summary>A request's hold on its budgets; settled once, to the actual cost, when the request ends.</summary>
public sealed class BudgetReservation((BudgetRule Rule, DateTimeOffset Period)[] holds, decimal amount, TimeProvider time)
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
            var (rule, period) = holds[i];
            var spend = rule.Account.Settle(Amount, debit, period, now);
            if (charges is null) continue;
            charges[i] = new BudgetCharge(rule.Id, period);
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
