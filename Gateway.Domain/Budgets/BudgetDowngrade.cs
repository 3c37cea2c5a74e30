namespace Gateway.Domain.Budgets;

/// <summary>
/// A request a budget cannot cover is refused, unless that budget says to downgrade: then it is tried once more on the
/// budget's cheaper model, provided the catalog has that model enabled. It is served there only if the cheaper model's
/// cost fits every budget in turn; otherwise the refusal names the budget that refused it first.
/// </summary>
public static class BudgetDowngrade
{
    /// <param name="onExhausted">The refusing budget's policy (<see cref="BudgetPolicies"/>).</param>
    /// <param name="downgradeModel">The cheaper model the budget names, if any.</param>
    /// <param name="modelEnabled">The catalog holds <paramref name="downgradeModel"/>, enabled.</param>
    public static bool Applies(string onExhausted, string? downgradeModel, bool modelEnabled) =>
        onExhausted == BudgetPolicies.Downgrade && downgradeModel is not null && modelEnabled;
}
