using System.Collections.Concurrent;
using System.Collections.Frozen;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.Budgets;

/// <summary>
/// Every budget's live money, in memory: the hot path reserves and settles here without a database round trip.
/// Settings follow the budget events with the rest of the control plane; a budget first seen (or seen again after
/// a restart) starts from the sum of its recorded debits in the current period.
/// </summary>
public sealed class BudgetLedger(GatewayOptions options, TimeProvider time)
{
    readonly ConcurrentDictionary<Guid, BudgetRule> rules = new();
    volatile Scopes scopes = Scopes.Empty;

    public bool Any => scopes.Count > 0;

    public TimeProvider Time => time;

    /// <summary>The budgets that apply to a key: the gateway-wide ones, its account's, its team's and its own.</summary>
    public IEnumerable<BudgetRule> For(GatewayKey key)
    {
        var current = scopes;
        foreach (var rule in current.Account) yield return rule;
        if (key.AccountId is { } account && current.ByAccount.TryGetValue(account, out var ofAccount)) foreach (var rule in ofAccount) yield return rule;
        if (current.ByTeam.TryGetValue(key.TeamId, out var team)) foreach (var rule in team) yield return rule;
        if (current.ByKey.TryGetValue(key.Id, out var own)) foreach (var rule in own) yield return rule;
    }

    /// <summary>Every budget in force (for the balance gauges).</summary>
    public IEnumerable<BudgetRule> All => rules.Values.Where(r => !r.Removed);

    public BudgetRule? Find(Guid budgetId) => rules.TryGetValue(budgetId, out var rule) && !rule.Removed ? rule : null;

    /// <summary>
    /// Follows the budget views after a control-plane change or a periodic refresh; in-flight reservations are kept.
    /// Each refresh also catches up with what other nodes settled, so with several nodes a budget is passed by at
    /// most what the other nodes settle within one refresh interval.
    /// </summary>
    public async Task SyncAsync(IReadOnlyList<BudgetView> views, IQuerySession session, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var seen = views.Where(v => !v.Removed && rules.ContainsKey(v.Id)).ToList();
        if (seen.Count > 0)
        {
            var settled = await SettledAsync(session, seen.Select(v => v.Id).ToArray(), ct);
            foreach (var view in seen)
            {
                var account = rules[view.Id].Account;
                var period = account.PeriodStartAt(now);
                if (settled.TryGetValue((view.Id, period), out var total)) account.ObserveSettled(period, total, now);
            }
        }
        foreach (var view in views)
        {
            if (view.Removed)
            {
                if (rules.TryGetValue(view.Id, out var gone)) gone.Removed = true;
                continue;
            }
            var zone = TimeZoneInfo.FindSystemTimeZoneById(view.TimeZone);
            if (rules.TryGetValue(view.Id, out var known))
            {
                known.Account.Reconfigure(view.LimitUsd, view.Period, zone);
                known.Update(view);
                continue;
            }
            var start = BudgetPeriods.StartOf(view.Period, zone, now);
            var spent = await SpentAsync(session, view.Id, start, ct);
            rules[view.Id] = new BudgetRule(new BudgetAccount(view.Id, view.LimitUsd, view.Period, zone, now, spent), view);
        }
        scopes = Scopes.Build(rules.Values.Where(r => !r.Removed).ToArray());
    }

    /// <summary>Every budget's settled total per period, all nodes together, in one query.</summary>
    async Task<Dictionary<(Guid, DateTimeOffset), decimal>> SettledAsync(IQuerySession session, Guid[] budgets, CancellationToken ct)
    {
        var rows = await session.QueryAsync<SettledRow>(
            "select json_build_object('budgetId', b->>'budgetId', 'periodStart', (b->>'periodStart')::timestamptz, " +
            $"'amount', sum((e.data->>'amount')::numeric)) from {options.Schema}.mt_events e, jsonb_array_elements(e.data->'budgets') b " +
            "where e.type = 'budget_debited' and b->>'budgetId' = any(?) group by b->>'budgetId', (b->>'periodStart')::timestamptz",
            ct, [budgets.Select(b => b.ToString()).ToArray()]);
        return rows.ToDictionary(r => (r.BudgetId, r.PeriodStart), r => r.Amount);
    }

    public sealed record SettledRow(Guid BudgetId, DateTimeOffset PeriodStart, decimal Amount);

    async Task<decimal> SpentAsync(IQuerySession session, Guid budgetId, DateTimeOffset periodStart, CancellationToken ct)
    {
        var sums = await session.QueryAsync<decimal>(
            $"select coalesce(sum((e.data->>'amount')::numeric), 0) from {options.Schema}.mt_events e, jsonb_array_elements(e.data->'budgets') b " +
            "where e.type = 'budget_debited' and b->>'budgetId' = ? and (b->>'periodStart')::timestamptz = ?",
            ct, budgetId.ToString(), periodStart);
        return sums.Count == 0 ? 0 : sums[0];
    }

    sealed class Scopes(BudgetRule[] account, FrozenDictionary<Guid, BudgetRule[]> byAccount, FrozenDictionary<Guid, BudgetRule[]> byTeam, FrozenDictionary<Guid, BudgetRule[]> byKey)
    {
        public static readonly Scopes Empty = new([], FrozenDictionary<Guid, BudgetRule[]>.Empty, FrozenDictionary<Guid, BudgetRule[]>.Empty, FrozenDictionary<Guid, BudgetRule[]>.Empty);

        /// <summary>Gateway-wide budgets: account scope without an account id.</summary>
        public BudgetRule[] Account { get; } = account;
        public FrozenDictionary<Guid, BudgetRule[]> ByAccount { get; } = byAccount;
        public FrozenDictionary<Guid, BudgetRule[]> ByTeam { get; } = byTeam;
        public FrozenDictionary<Guid, BudgetRule[]> ByKey { get; } = byKey;
        public int Count => Account.Length + ByAccount.Count + ByTeam.Count + ByKey.Count;

        public static Scopes Build(BudgetRule[] live) => new(
            live.Where(r => r.Scope == BudgetScopes.Account && r.ScopeId is null).ToArray(),
            live.Where(r => r.Scope == BudgetScopes.Account && r.ScopeId is not null).GroupBy(r => r.ScopeId!.Value).ToFrozenDictionary(g => g.Key, g => g.ToArray()),
            live.Where(r => r.Scope == BudgetScopes.Team && r.ScopeId is not null).GroupBy(r => r.ScopeId!.Value).ToFrozenDictionary(g => g.Key, g => g.ToArray()),
            live.Where(r => r.Scope == BudgetScopes.Key && r.ScopeId is not null).GroupBy(r => r.ScopeId!.Value).ToFrozenDictionary(g => g.Key, g => g.ToArray()));
    }
}

/// <summary>One budget: its settings and its live account.</summary>
public sealed class BudgetRule(BudgetAccount account, BudgetView view)
{
    public BudgetAccount Account { get; } = account;
    public Guid Id => Account.Id;
    public string Scope { get; private set; } = view.Scope;
    public Guid? ScopeId { get; private set; } = view.ScopeId;
    public string OnExhausted { get; private set; } = view.OnExhausted;
    public string? DowngradeModel { get; private set; } = view.DowngradeModel;
    public IReadOnlyList<int> Thresholds { get; private set; } = view.Thresholds;
    public string? WebhookUrl { get; private set; } = view.WebhookUrl;
    public volatile bool Removed;

    public void Update(BudgetView view)
    {
        (Scope, ScopeId, OnExhausted, DowngradeModel, Thresholds, WebhookUrl) = (view.Scope, view.ScopeId, view.OnExhausted, view.DowngradeModel, view.Thresholds, view.WebhookUrl);
        Removed = false;
    }
}
