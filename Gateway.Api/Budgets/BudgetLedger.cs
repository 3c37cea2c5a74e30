using Gateway.Api.Fleet;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using Gateway.Api.ControlPlane;
using Gateway.Domain.Budgets;
using Gateway.Projections;

namespace Gateway.Api.Budgets;

/// <summary>
/// Every budget's live money on this node, in memory: the hot path reserves and settles here, from the slice of each
/// budget this node holds (<see cref="BudgetLeases"/>), without a database round trip. Settings follow the budget
/// events with the rest of the control plane.
/// </summary>
public sealed class BudgetLedger(TimeProvider time)
{
    readonly ConcurrentDictionary<Guid, BudgetRule> rules = new();
    volatile Scopes scopes = Scopes.Empty;

    public bool Any => scopes.Count > 0;

    /// <summary>
    /// This node has not been able to say it is alive for half a lease lifetime (BudgetLeaseKeeper): its leases may be
    /// expired by the sweep at any moment, so nothing is reserved from them.
    /// </summary>
    public volatile bool Fenced;

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

    /// <summary>Every budget this node knows, removed ones too (their leases still have to go back).</summary>
    public IEnumerable<BudgetRule> Every => rules.Values;

    /// <summary>
    /// Follows the budget views after a control-plane change or a periodic refresh; in-flight reservations are kept.
    /// A lower limit closes this node's lease, so what it holds beyond the new limit goes back to the allotment.
    /// </summary>
    public void Sync(IReadOnlyList<BudgetView> views)
    {
        var now = time.GetUtcNow();
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
                var lower = view.LimitUsd < known.Account.Limit || view.Period != known.Account.Period || zone.Id != known.Account.Zone.Id;
                known.Account.Reconfigure(view.LimitUsd, view.Period, zone);
                if (lower) known.Account.Rotate(now);
                known.Update(view);
                continue;
            }
            rules[view.Id] = new BudgetRule(new BudgetAccount(view.Id, view.LimitUsd, view.Period, zone, now), view);
        }
        scopes = Scopes.Build(rules.Values.Where(r => !r.Removed).ToArray());
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
    int asked;
    /// <summary>Another node is short of this budget and asked for what this node holds unspent.</summary>
    public void Ask() => Interlocked.Exchange(ref asked, 1);
    /// <summary>Whether another node asked since the last call.</summary>
    public bool TakeAsk() => Interlocked.Exchange(ref asked, 0) == 1;
    /// <summary>One round trip to the budget's allotment at a time from this node: a grant or a return.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);
    /// <summary>This node's round trips to the budget's allotment.</summary>
    public SliceRounds Rounds { get; } = new();
    double rate;

    /// <summary>Follows what this node reserves per second (a moving average over the keeper's ticks).</summary>
    public void ObserveDemand(decimal reserved, TimeSpan over)
    {
        if (over <= TimeSpan.Zero) return;
        var now = (double)reserved / over.TotalSeconds;
        rate = rate == 0 ? now : 0.7 * rate + 0.3 * now;
    }

    /// <summary>What this node expects to reserve within <paramref name="horizon"/>: the slice it takes beyond what is waiting.</summary>
    public decimal Prefetch(TimeSpan horizon) => Math.Round((decimal)(rate * horizon.TotalSeconds), 6);

    public void Update(BudgetView view)
    {
        (Scope, ScopeId, OnExhausted, DowngradeModel, Thresholds, WebhookUrl) = (view.Scope, view.ScopeId, view.OnExhausted, view.DowngradeModel, view.Thresholds, view.WebhookUrl);
        Removed = false;
    }
}
