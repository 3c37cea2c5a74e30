using Gateway.Domain.Budgets;

namespace Gateway.Domain.Tests;

public class BudgetAccountTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T10:00:00Z");

    /// <summary>An account whose node was granted <paramref name="held"/> of the budget.</summary>
    static BudgetAccount Account(decimal limit, decimal? held = null, string period = BudgetPeriods.Daily)
    {
        var account = new BudgetAccount(Guid.NewGuid(), limit, period, TimeZoneInfo.Utc, Now);
        account.Granted(account.Current(Now), Guid.NewGuid(), held ?? limit);
        return account;
    }

    [Fact]
    public void a_reservation_that_would_pass_what_the_node_holds_is_refused()
    {
        var account = Account(1.00m);
        Assert.NotNull(account.TryReserve(0.60m, Now));
        Assert.Null(account.TryReserve(0.41m, Now));
        Assert.Equal(0.01m, account.Shortfall(0.41m, Now));
        Assert.NotNull(account.TryReserve(0.40m, Now));
        Assert.Equal(0m, account.Balance(Now).Remaining);
    }

    [Fact]
    public void a_node_without_a_lease_reserves_nothing()
    {
        var account = new BudgetAccount(Guid.NewGuid(), 1.00m, BudgetPeriods.Daily, TimeZoneInfo.Utc, Now);
        Assert.Null(account.TryReserve(0.01m, Now));
        Assert.Equal(0.01m, account.Shortfall(0.01m, Now));
    }

    [Fact]
    public void settling_releases_the_reservation_and_counts_the_actual_cost()
    {
        var account = Account(1.00m);
        var slice = account.TryReserve(0.60m, Now)!;
        account.Settle(slice, 0.60m, 0.25m, Now);
        var balance = account.Balance(Now);
        Assert.Equal((0.25m, 0m, 0.75m), (balance.Spent, balance.Reserved, balance.Remaining));
    }

    [Fact]
    public void concurrent_reservations_never_overspend_what_the_node_holds()
    {
        var account = Account(10m, held: 100 * 0.07m);
        var granted = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (account.TryReserve(0.07m, Now) is { } slice)
            {
                Interlocked.Increment(ref granted);
                account.Settle(slice, 0.07m, 0.07m, Now);
            }
        });
        Assert.Equal(100, granted);
        Assert.Equal(7.00m, account.Balance(Now).Spent);
    }

    /// <summary>What the allotment would take back of the account's one draining slice, whose lease holds <paramref name="leaseHeld"/> there.</summary>
    static (BudgetReturn Back, decimal HeldAfter) Give(BudgetAccount account, DateTimeOffset now, decimal leaseHeld)
    {
        var slice = Assert.Single(account.Draining(now));
        var (spent, reserved) = account.Usage(slice);
        var back = BudgetLeasePolicy.Return(account.Id, slice, leaseHeld, spent, reserved);
        account.Returned(back, leaseHeld - back.Amount);
        return (back, leaseHeld - back.Amount);
    }

    [Fact]
    public void a_new_period_needs_a_new_lease_and_the_old_one_drains_what_it_did_not_spend()
    {
        var account = Account(1.00m);
        var yesterday = account.TryReserve(0.10m, Now)!;
        var tomorrow = Now.AddDays(1);

        Assert.Null(account.TryReserve(0.10m, tomorrow));
        Assert.Equal(1.00m, account.Balance(tomorrow).Remaining);
        // In flight: the old lease gives back what is free, and stays open for the reservation.
        var (first, held) = Give(account, tomorrow, 1.00m);
        Assert.Equal((0.90m, false), (first.Amount, first.Close));
        account.Settle(yesterday, 0.10m, 0.04m, tomorrow);
        Assert.Equal(0m, account.Balance(tomorrow).Spent);
        var (last, kept) = Give(account, tomorrow, held);
        Assert.Equal((0.06m, true, 0.04m), (last.Amount, last.Close, kept));
        Assert.Empty(account.Draining(tomorrow));
    }

    [Fact]
    public void a_rotated_lease_gives_back_what_is_free_and_closes_once_nothing_is_in_flight()
    {
        var account = Account(1.00m);
        var slice = account.TryReserve(0.30m, Now)!;
        account.Rotate(Now);
        Assert.Null(account.TryReserve(0.01m, Now));
        var (free, held) = Give(account, Now, 1.00m);
        Assert.Equal((0.70m, false), (free.Amount, free.Close));
        account.Settle(slice, 0.30m, 0.30m, Now);
        var (close, _) = Give(account, Now, held);
        Assert.Equal((0m, true), (close.Amount, close.Close));
        // The closed lease's spend is counted as the ledger's from now on.
        Assert.Equal(0.30m, account.Balance(Now).Spent);
    }

    [Fact]
    public void a_return_is_reckoned_from_what_the_allotment_says_the_lease_holds_so_it_is_never_given_twice()
    {
        var account = Account(1.00m);
        account.TryReserve(0.30m, Now);
        account.Rotate(Now);
        // The first return of 0.70 committed, but its acknowledgement was lost: the node still thinks it holds 1.00.
        var (again, _) = Give(account, Now, leaseHeld: 0.30m);
        Assert.Equal(0m, again.Amount);
    }

    [Fact]
    public void a_grant_landing_on_a_slice_rotated_meanwhile_drains_back()
    {
        var account = new BudgetAccount(Guid.NewGuid(), 1.00m, BudgetPeriods.Daily, TimeZoneInfo.Utc, Now);
        var slice = account.Current(Now);
        account.Granted(slice, Guid.NewGuid(), 0.10m);
        account.Rotate(Now);
        var late = account.Current(Now);
        account.Rotate(Now); // no lease yet: nothing to rotate
        account.Granted(slice, slice.LeaseId, 0.20m);
        Assert.Contains(slice, account.Draining(Now));
        Assert.Same(late, account.Current(Now));
    }

    [Fact]
    public void a_lease_lost_to_the_sweep_keeps_only_what_is_spent_or_in_flight_and_a_new_one_is_needed()
    {
        var account = Account(1.00m);
        var slice = account.TryReserve(0.30m, Now)!;
        account.LeaseLost(slice);
        Assert.Equal(0.30m, slice.Held);
        Assert.NotSame(slice, account.Current(Now));
        Assert.Null(account.TryReserve(0.01m, Now));
    }

    [Fact]
    public void what_other_nodes_hold_is_not_remaining_here()
    {
        var account = Account(1.00m, held: 0.20m);
        account.ObserveFleet(account.PeriodStartAt(Now), settledInClosedLeases: 0.30m, heldByOtherNodes: 0.50m, Now);
        var balance = account.Balance(Now);
        Assert.Equal((0.30m, 0.20m, 0.50m), (balance.Spent, balance.Remaining, balance.HeldByOtherNodes));
    }
}

public class BudgetLeasePolicyTests
{
    [Fact]
    public void a_grant_covers_what_is_waiting_and_half_of_the_rest_at_most_beyond_it()
    {
        Assert.Equal(1.50m, BudgetLeasePolicy.Grant(available: 10m, need: 1m, minimum: 0.5m, prefetch: 0.5m));
        Assert.Equal(5.50m, BudgetLeasePolicy.Grant(available: 10m, need: 1m, minimum: 0.5m, prefetch: 100m));
        // Not all that is waiting fits: all that is left.
        Assert.Equal(3m, BudgetLeasePolicy.Grant(available: 3m, need: 10m, minimum: 0.5m, prefetch: 1m));
        // Not even the first request fits: nothing, so what is left is not stranded on this node.
        Assert.Equal(0m, BudgetLeasePolicy.Grant(available: 0.4m, need: 10m, minimum: 0.5m, prefetch: 1m));
    }

    [Fact]
    public void an_allotment_id_is_the_same_everywhere_and_differs_per_period()
    {
        var budget = Guid.NewGuid();
        var today = DateTimeOffset.Parse("2026-12-07T00:00:00Z");
        Assert.Equal(BudgetLeasePolicy.AllotmentId(budget, today), BudgetLeasePolicy.AllotmentId(budget, today));
        Assert.NotEqual(BudgetLeasePolicy.AllotmentId(budget, today), BudgetLeasePolicy.AllotmentId(budget, today.AddDays(1)));
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
        var account = new BudgetAccount(Guid.NewGuid(), 1.00m, "lifetime", TimeZoneInfo.Utc, now);
        account.Granted(account.Current(now), Guid.NewGuid(), 1.00m);
        var first = account.TryReserve(0.50m, now)!;
        account.TryReserve(0.50m, now);

        var spend = account.Settle(first, 0.50m, 0.80m, now);

        Assert.Equal(0.50m, spend!.Value.After);
        var balance = account.Balance(now);
        Assert.True(balance.Spent + balance.Reserved <= balance.Limit);
        Assert.Equal(0.30m, BudgetAccount.Chargeable(0.30m, 0.80m));
        Assert.Equal(0m, BudgetAccount.Chargeable(0.30m, -1m));
    }
}
