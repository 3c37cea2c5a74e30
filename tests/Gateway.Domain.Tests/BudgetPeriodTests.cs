using Gateway.Domain.Budgets;

namespace Gateway.Domain.Tests;

public class BudgetPeriodTests
{
    static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void a_daily_period_starts_at_local_midnight()
    {
        // 23:30 UTC on 10 June is 01:30 on 11 June in Paris (UTC+2).
        var start = BudgetPeriods.StartOf(BudgetPeriods.Daily, Paris, DateTimeOffset.Parse("2026-06-10T23:30:00Z"));
        Assert.Equal(DateTimeOffset.Parse("2026-06-10T22:00:00Z"), start);
        Assert.Equal(DateTimeOffset.Parse("2026-06-11T22:00:00Z"), BudgetPeriods.EndOf(BudgetPeriods.Daily, Paris, DateTimeOffset.Parse("2026-06-10T23:30:00Z")));
    }

    [Fact]
    public void a_weekly_period_starts_on_monday()
    {
        // Sunday 15 November 2026, noon in New York: the week began on Monday 9 November, local midnight (UTC-5).
        var start = BudgetPeriods.StartOf(BudgetPeriods.Weekly, NewYork, DateTimeOffset.Parse("2026-11-15T17:00:00Z"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-09T05:00:00Z"), start);
    }

    [Fact]
    public void a_monthly_period_runs_from_the_first_to_the_first_across_a_clock_change()
    {
        // March 2026 in Paris: starts at UTC+1, ends after the switch to summer time (UTC+2).
        var instant = DateTimeOffset.Parse("2026-03-15T12:00:00Z");
        Assert.Equal(DateTimeOffset.Parse("2026-02-28T23:00:00Z"), BudgetPeriods.StartOf(BudgetPeriods.Monthly, Paris, instant));
        Assert.Equal(DateTimeOffset.Parse("2026-03-31T22:00:00Z"), BudgetPeriods.EndOf(BudgetPeriods.Monthly, Paris, instant));
    }

    [Fact]
    public void a_day_that_loses_an_hour_is_23_hours_long()
    {
        var instant = DateTimeOffset.Parse("2026-03-29T12:00:00Z");
        var start = BudgetPeriods.StartOf(BudgetPeriods.Daily, Paris, instant);
        var end = BudgetPeriods.EndOf(BudgetPeriods.Daily, Paris, instant)!.Value;
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    [Fact]
    public void a_lifetime_budget_never_resets()
    {
        Assert.Equal(DateTimeOffset.MinValue, BudgetPeriods.StartOf(BudgetPeriods.Lifetime, Paris, DateTimeOffset.UtcNow));
        Assert.Null(BudgetPeriods.EndOf(BudgetPeriods.Lifetime, Paris, DateTimeOffset.UtcNow));
    }
}
