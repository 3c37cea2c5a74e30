using Gateway.Domain.Budgets;

namespace Gateway.Domain.Tests;

public class BudgetAccountTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T10:00:00Z");

    static BudgetAccount Account(decimal limit, string period = BudgetPeriods.Daily, decimal spent = 0) =>
        new(Guid.NewGuid(), limit, period, TimeZoneInfo.Utc, Now, spent);

    [Fact]
    public void a_reservation_that_would_pass_the_limit_is_refused()
    {
        var account = Account(1.00m);
        Assert.NotNull(account.TryReserve(0.60m, Now));
        Assert.Null(account.TryReserve(0.41m, Now));
        Assert.NotNull(account.TryReserve(0.40m, Now));
        Assert.Equal(0m, account.Balance(Now).Remaining);
    }

    [Fact]
    public void settling_releases_the_reservation_and_counts_the_actual_cost()
    {
        var account = Account(1.00m);
        var period = account.TryReserve(0.60m, Now)!.Value;
        account.Settle(0.60m, 0.25m, period, Now);
        var balance = account.Balance(Now);
        Assert.Equal((0.25m, 0m, 0.75m), (balance.Spent, balance.Reserved, balance.Remaining));
    }

    [Fact]
    public void concurrent_reservations_never_overspend()
    {
        var account = Account(100 * 0.07m);
        var granted = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (account.TryReserve(0.07m, Now) is { } period)
            {
                Interlocked.Increment(ref granted);
                account.Settle(0.07m, 0.07m, period, Now);
            }
        });
        Assert.Equal(100, granted);
        Assert.Equal(7.00m, account.Balance(Now).Spent);
    }

    [Fact]
    public void a_new_period_starts_from_zero_and_a_reservation_from_the_old_one_is_not_counted()
    {
        var account = Account(1.00m, spent: 0.90m);
        var yesterday = account.TryReserve(0.10m, Now)!.Value;
        var tomorrow = Now.AddDays(1);

        Assert.Equal(1.00m, account.Balance(tomorrow).Remaining);
        account.Settle(0.10m, 0.10m, yesterday, tomorrow);
        Assert.Equal(0m, account.Balance(tomorrow).Spent);
    }

    [Fact]
    public void spend_recorded_before_a_restart_counts()
    {
        var account = Account(1.00m, spent: 0.95m);
        Assert.Null(account.TryReserve(0.06m, Now));
    }
}

public class BudgetThresholdTests
{
    [Fact]
    public void a_threshold_is_crossed_once_by_the_settlement_that_reaches_it()
    {
        int[] thresholds = [50, 80, 100];
        Assert.Empty(BudgetAccount.Crossed(thresholds, 10m, 0m, 4.99m));
        Assert.Equal([50], BudgetAccount.Crossed(thresholds, 10m, 4.99m, 5.00m));
        Assert.Empty(BudgetAccount.Crossed(thresholds, 10m, 5.00m, 6.00m));
        Assert.Equal([80, 100], BudgetAccount.Crossed(thresholds, 10m, 7.50m, 10.00m));
    }
}

public class BudgetSettlementCapTests
{
    [Fact]
    public void a_settlement_never_counts_more_than_its_reservation_so_spent_plus_reserved_stays_under_the_limit()
    {
        var now = DateTimeOffset.Parse("2026-12-06T10:00:00Z");
        var account = new Gateway.Domain.Budgets.BudgetAccount(Guid.NewGuid(), 1.00m, "lifetime", TimeZoneInfo.Utc, now, 0m);
        var first = account.TryReserve(0.50m, now)!.Value;
        account.TryReserve(0.50m, now);

        var spend = account.Settle(0.50m, 0.80m, first, now);

        Assert.Equal(0.50m, spend!.Value.After);
        var balance = account.Balance(now);
        Assert.True(balance.Spent + balance.Reserved <= balance.Limit);
        Assert.Equal(0.30m, Gateway.Domain.Budgets.BudgetAccount.Chargeable(0.30m, 0.80m));
        Assert.Equal(0m, Gateway.Domain.Budgets.BudgetAccount.Chargeable(0.30m, -1m));
    }
}
