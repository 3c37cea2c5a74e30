namespace Gateway.Domain.Budgets;

/// <summary>
/// A budget was set (created, or changed as a whole) on a scope: the whole gateway (<c>account</c>), a team or a key.
/// <paramref name="Period"/> is daily, weekly, monthly or lifetime, reset on calendar boundaries in
/// <paramref name="TimeZone"/> (an IANA id). <paramref name="OnExhausted"/> is <c>block</c> or <c>downgrade</c>
/// (to <paramref name="DowngradeModel"/>, a catalog model).
/// </summary>
public sealed record BudgetSet(
    Guid BudgetId, string Scope, Guid? ScopeId, decimal LimitUsd, string Period, string TimeZone,
    IReadOnlyList<int> Thresholds, string OnExhausted, string? DowngradeModel, string? WebhookUrl = null) : IControlPlaneEvent;

/// <summary>
/// A request's settled cost carried a budget's spend across one of its alert thresholds (percent of the limit) in the
/// period that began at <paramref name="PeriodStart"/>. Recorded with the request; announced to the budget's webhook.
/// </summary>
public sealed record BudgetThresholdCrossed(Guid BudgetId, int Threshold, decimal SpentUsd, decimal LimitUsd, DateTimeOffset PeriodStart, Guid RequestId);

public sealed record BudgetRemoved(Guid BudgetId) : IControlPlaneEvent;

/// <summary>
/// A request's actual cost was settled against every budget that applied to it (key, team, account), each in its
/// current period. One event per request, appended to the request's stream with its <c>RequestCompleted</c>, in the
/// same transaction.
/// </summary>
public sealed record BudgetDebited(Guid RequestId, decimal Amount, IReadOnlyList<BudgetCharge> Budgets);

/// <summary>
/// A request cost more than it had reserved (its provider counted more prompt tokens than the gateway's tokenizer, or
/// produced more output than the configured cap when the request set no max_tokens): its budgets were debited only
/// <paramref name="DebitedUsd"/>, the reservation, and <paramref name="CostUsd"/> − <paramref name="DebitedUsd"/> is
/// the request's cost that no budget carries. Recorded with the request beside its <see cref="BudgetDebited"/>.
/// </summary>
public sealed record BudgetDebitCapped(Guid RequestId, decimal CostUsd, decimal DebitedUsd);

/// <summary>
/// One budget a debit counts against, the start of the period it counts in, and the lease it was spent from (null for
/// debits recorded before leases were kept).
/// </summary>
public sealed record BudgetCharge(Guid BudgetId, DateTimeOffset PeriodStart, Guid? LeaseId = null);

public static class BudgetScopes
{
    public const string Account = "account";
    public const string Team = "team";
    public const string Key = "key";

    public static bool IsKnown(string? scope) => scope is Account or Team or Key;
}

public static class BudgetPolicies
{
    public const string Block = "block";
    public const string Downgrade = "downgrade";

    public static bool IsKnown(string? policy) => policy is Block or Downgrade;
}
