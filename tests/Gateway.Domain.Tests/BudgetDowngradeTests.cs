using Gateway.Domain.Budgets;

namespace Gateway.Domain.Tests;

public class BudgetDowngradeTests
{
    [Fact]
    public void a_downgrade_budget_sends_the_request_to_its_enabled_cheaper_model() =>
        Assert.True(BudgetDowngrade.Applies(BudgetPolicies.Downgrade, "mock/cheap", modelEnabled: true));

    [Fact]
    public void a_blocking_budget_refuses_even_when_it_names_a_model() =>
        Assert.False(BudgetDowngrade.Applies(BudgetPolicies.Block, "mock/cheap", modelEnabled: true));

    [Fact]
    public void a_downgrade_budget_without_a_model_refuses() =>
        Assert.False(BudgetDowngrade.Applies(BudgetPolicies.Downgrade, null, modelEnabled: true));

    [Fact]
    public void a_cheaper_model_that_is_disabled_or_gone_from_the_catalog_means_refusal() =>
        Assert.False(BudgetDowngrade.Applies(BudgetPolicies.Downgrade, "mock/cheap", modelEnabled: false));

    [Fact]
    public void the_policy_is_matched_exactly() =>
        Assert.False(BudgetDowngrade.Applies("Downgrade", "mock/cheap", modelEnabled: true));
}
